import { Testing } from 'cdk8s';
import { BackendDatabase } from '../lib/backend-database';
import { Profile, TodoApp } from '../lib/todo-app';
import { checkManifests, runAllChecks } from '../lib/checks';
import { checkLint, exceptionsWithoutReason } from '../lib/checks/lint';
import { validateObjects } from './support/k8s-schema';
import { containerOf, expectComponentEnv, find, ofKind, redactSecrets, secretValues, signingKeyProps, synth, TEST_SECRETS, withoutComponentEnv } from './support/util';
import { BACKEND_VARIABLES } from '../lib/todo-backend';
import { FRONTEND_VARIABLES } from '../lib/todo-frontend';

function todo(props: ConstructorParameters<typeof TodoApp>[2] = {}, namespace?: string) {
  let app!: TodoApp;
  const objects = synth((chart) => {
    app = new TodoApp(chart, 'todo', {
      ...props,
      backend: { ...signingKeyProps(BACKEND_VARIABLES), anthropicApiKey: TEST_SECRETS.anthropicApiKey, ...props.backend },
      frontend: { ...signingKeyProps(FRONTEND_VARIABLES), ...props.frontend },
    });
  }, namespace);
  return { app, objects };
}

/** Where a variable of a pod comes from: 'ConfigMap', 'Secret', 'Build-time', or undefined. */
function sourceOf(objects: any[], deploymentName: string, variable: string, app: TodoApp): { source: string; value: string } | undefined {
  const deployment = find(objects, 'Deployment', deploymentName);
  const container = containerOf(deployment);
  const ref = (container.env ?? []).find((e: any) => e.name === variable)?.valueFrom?.secretKeyRef;
  if (ref) {
    return { source: 'Secret', value: secretValues(find(objects, 'Secret', ref.name))[ref.key] };
  }
  for (const from of container.envFrom ?? []) {
    const data = find(objects, 'ConfigMap', from.configMapRef.name).data;
    if (variable in data) {
      return { source: 'ConfigMap', value: data[variable] };
    }
  }
  const component = app.components.find((c) => c.name === deploymentName)!;
  if (variable in component.image.buildArgs) {
    return { source: 'Build-time', value: component.image.buildArgs[variable] };
  }
  return undefined;
}

describe('TodoApp', () => {
  // The components' own environment is left out (withoutComponentEnv): their suites pin it, and the tests below
  // assert what the app wires into it by value.
  test('snapshot', () => {
    expect(withoutComponentEnv(redactSecrets(todo().objects))).toMatchSnapshot();
  });

  test('what the snapshots leave out is each component\'s own environment: its ConfigMap, its secret variables, their checksums', () => {
    for (const { app, objects } of [todo(), todo({ profile: Profile.CLUSTER, cluster: { host: 'todo.example.com' }, backend: { database: BackendDatabase.postgres('postgresql://u:p@db:5432/todo') } })]) {
      expectComponentEnv(objects, app.components);
    }
  });

  // The design's "Environment Variable Mapping" tables, row by row.
  // Deviations: BETTER_AUTH_SECRET was a ConfigMap value in the design; it is a Secret here.
  // JWT_SECRET and ANTHROPIC_API_KEY ("Helm values") come from a Secret. The SQLite file
  // sqlite:///./todoapp.db moved onto a volume (the design's is BackendDatabase.ephemeralSqlite()).
  const backendRows: Array<[string, string, string | RegExp]> = [
    ['DATABASE_URL', 'ConfigMap', 'sqlite:////data/todoapp.db'],
    ['JWT_SECRET', 'Secret', TEST_SECRETS.jwtSecret],
    ['JWT_ALGORITHM', 'ConfigMap', 'HS256'],
    ['JWT_EXPIRY_HOURS', 'ConfigMap', '24'],
    ['CORS_ORIGINS', 'ConfigMap', 'http://192.168.49.2:30300'],
    ['ANTHROPIC_API_KEY', 'Secret', TEST_SECRETS.anthropicApiKey],
    ['ANTHROPIC_MODEL', 'ConfigMap', 'claude-3-haiku-20240307'],
  ];
  test.each(backendRows)('backend pod: %s from %s = %s', (variable, source, value) => {
    const { app, objects } = todo();
    expect(sourceOf(objects, 'todo-backend', variable, app)).toEqual({ source, value });
  });

  const frontendRows: Array<[string, string, string]> = [
    ['NEXT_PUBLIC_API_URL', 'Build-time', 'http://192.168.49.2:30800'],
    ['NEXT_PUBLIC_APP_URL', 'Build-time', 'http://192.168.49.2:30300'],
    ['BETTER_AUTH_SECRET', 'Secret', TEST_SECRETS.betterAuthSecret],
  ];
  test.each(frontendRows)('frontend pod: %s from %s = %s', (variable, source, value) => {
    const { app, objects } = todo();
    expect(sourceOf(objects, 'todo-frontend', variable, app)).toEqual({ source, value });
  });

  test('the ephemeral database is the design\'s exact DATABASE_URL', () => {
    const { app, objects } = todo({ backend: { database: BackendDatabase.ephemeralSqlite() } });
    expect(sourceOf(objects, 'todo-backend', 'DATABASE_URL', app)).toEqual({ source: 'ConfigMap', value: 'sqlite:///./todoapp.db' });
  });

  test('changing a nodePort changes every URL that depends on it', () => {
    const { app, objects } = todo({ backend: { nodePort: 31500 }, frontend: { nodePort: 31600 } });
    expect(find(objects, 'Service', 'todo-backend').spec.ports[0].nodePort).toBe(31500);
    expect(find(objects, 'Service', 'todo-frontend').spec.ports[0].nodePort).toBe(31600);
    expect(find(objects, 'ConfigMap', 'todo-backend-config').data.CORS_ORIGINS).toBe('http://192.168.49.2:31600');
    expect(app.frontend.image.buildArgs).toEqual({ NEXT_PUBLIC_API_URL: 'http://192.168.49.2:31500', NEXT_PUBLIC_APP_URL: 'http://192.168.49.2:31600' });
  });

  test('the backend is built with the frontend\'s origin after the corsOrigins given, without repeats', () => {
    const { app, objects } = todo({ backend: { corsOrigins: ['https://admin.example.com', 'http://192.168.49.2:30300'] } });
    expect(app.backend.corsOrigins).toEqual(['https://admin.example.com', 'http://192.168.49.2:30300']);
    expect(find(objects, 'ConfigMap', 'todo-backend-config').data.CORS_ORIGINS).toBe('https://admin.example.com,http://192.168.49.2:30300');
  });

  test('one nodeAddress setting feeds every URL', () => {
    const { app, objects } = todo({ nodeAddress: '192.168.58.2' });
    expect(find(objects, 'ConfigMap', 'todo-backend-config').data.CORS_ORIGINS).toBe('http://192.168.58.2:30300');
    expect(app.frontend.image.buildArgs.NEXT_PUBLIC_API_URL).toBe('http://192.168.58.2:30800');
    expect(app.backend.url).toBe('http://192.168.58.2:30800');
  });

  test('names and DNS names follow the chart namespace', () => {
    const { app, objects } = todo({}, 'todo');
    expect(objects.every((o) => o.metadata.namespace === 'todo')).toBe(true);
    expect(app.backend.dnsName).toBe('todo-backend.todo.svc.cluster.local');
  });

  test('output is strictly valid and consistent', () => {
    const { objects } = todo();
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/todo-backend-config', 'Secret/todo-backend-secret', 'PersistentVolumeClaim/todo-backend-data', 'Deployment/todo-backend', 'Service/todo-backend', 'NetworkPolicy/todo-backend',
      'ConfigMap/todo-frontend-config', 'Secret/todo-frontend-secret', 'Deployment/todo-frontend', 'Service/todo-frontend', 'NetworkPolicy/todo-frontend',
    ]);
    expect(validateObjects(objects)).toEqual([]);
    expect(checkManifests(objects)).toEqual([]);
  });

  test('default props, no secret given: Testing.synth gives the same output every time, with no key in it; the keys are read from Secrets kept by the cluster', () => {
    const once = () => {
      const chart = Testing.chart();
      return { todo: new TodoApp(chart, 'todo'), objects: Testing.synth(chart) };
    };
    const first = once();
    const second = once();
    expect(second.objects).toEqual(first.objects);
    expect(JSON.stringify(second.objects)).toBe(JSON.stringify(first.objects));
    for (const [deployment, key, secret] of [['todo-backend', 'JWT_SECRET', 'todo-backend-keys'], ['todo-frontend', 'BETTER_AUTH_SECRET', 'todo-frontend-keys']]) {
      expect(containerOf(find(first.objects, 'Deployment', deployment)).env).toContainEqual({ name: key, valueFrom: { secretKeyRef: { name: secret, key } } });
    }
    // The components' own Secrets hold only what was given: nothing.
    expect(ofKind(first.objects, 'Secret').map((o) => [o.metadata.name, o.data ?? {}])).toEqual([['todo-backend-secret', {}], ['todo-frontend-secret', {}]]);
    expect(first.todo.components.map((c) => c.keysSecret?.name)).toEqual(['todo-backend-keys', 'todo-frontend-keys']);
    expect(validateObjects(first.objects)).toEqual([]);
    expect(runAllChecks(first.objects, { externalSecrets: first.todo.components.flatMap((c) => c.externalSecrets) })).toEqual([]);
  });

  describe('the cluster profile', () => {
    const url = 'postgresql://todo:pw@db.example.com:5432/todo';
    const cluster = (extra: Partial<ConstructorParameters<typeof TodoApp>[2]> = {}) => todo({
      profile: Profile.CLUSTER,
      cluster: { host: 'todo.example.com', tlsSecret: 'todo-tls' },
      ...extra,
      backend: { database: BackendDatabase.postgres(url), ...extra.backend },
    });

    test('snapshot', () => {
      expect(withoutComponentEnv(redactSecrets(cluster().objects))).toMatchSnapshot();
    });

    test('ClusterIP Services behind Ingresses; the derived URLs follow the Ingress', () => {
      const { app, objects } = cluster();
      for (const name of ['todo-backend', 'todo-frontend']) {
        expect(find(objects, 'Service', name).spec.type).toBe('ClusterIP');
        expect(find(objects, 'Service', name).spec.ports[0].nodePort).toBeUndefined();
      }
      expect(find(objects, 'Ingress', 'todo-backend').spec).toEqual({
        tls: [{ hosts: ['todo.example.com'], secretName: 'todo-tls' }],
        rules: [{ host: 'todo.example.com', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'todo-backend', port: { name: 'http' } } } }] } }],
      });
      expect(find(objects, 'Ingress', 'todo-frontend').spec.rules[0].http.paths[0].path).toBe('/');
      expect(app.frontend.image.buildArgs).toEqual({ NEXT_PUBLIC_API_URL: 'https://todo.example.com/api', NEXT_PUBLIC_APP_URL: 'https://todo.example.com' });
      expect(find(objects, 'ConfigMap', 'todo-backend-config').data.CORS_ORIGINS).toBe('https://todo.example.com');
    });

    test('PostgreSQL from a Secret, no volume; autoscaling from 2 pods on CPU; a disruption budget; pods spread over nodes', () => {
      const { app, objects } = cluster();
      expect(sourceOf(objects, 'todo-backend', 'DATABASE_URL', app)).toEqual({ source: 'Secret', value: url });
      expect(objects.filter((o) => o.kind === 'PersistentVolumeClaim')).toEqual([]);
      for (const name of ['todo-backend', 'todo-frontend']) {
        const deployment = find(objects, 'Deployment', name);
        expect(deployment.spec.replicas).toBeUndefined();
        expect(deployment.spec.strategy.type).toBe('RollingUpdate');
        expect(deployment.spec.template.spec.topologySpreadConstraints).toEqual([{
          maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name } },
        }]);
        expect(find(objects, 'HorizontalPodAutoscaler', name).spec).toEqual({
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
          minReplicas: 2, maxReplicas: 5,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
        });
        expect(deployment.spec.template.spec.affinity).toEqual({ podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name } } },
        }] } });
        expect(deployment.spec.template.spec.containers[0].imagePullPolicy).toBe('Always');
        expect(find(objects, 'PodDisruptionBudget', name).spec).toEqual({ minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
      }
    });

    test('is strictly valid and passes every check', () => {
      const { objects } = cluster({ cluster: { host: 'todo.example.com', ingressClassName: 'nginx', backendPath: '/v1', autoscaling: { minReplicas: 3, maxReplicas: 9, targetCpuUtilization: 60 } } });
      expect(validateObjects(objects)).toEqual([]);
      expect(runAllChecks(objects)).toEqual([]);
      // Only the latest tag is excused (no tag was given): no NodePort, and images are pulled Always.
      expect(checkLint(objects)).toEqual([]);
      expect(exceptionsWithoutReason(objects)).toEqual([]);
      expect(objects.flatMap((o) => (o.metadata.annotations?.['kube-score/ignore'] ?? '').split(',').filter((c: string) => c))).toEqual(['container-image-tag', 'container-image-tag']);
      expect(find(objects, 'Ingress', 'todo-backend').spec.ingressClassName).toBe('nginx');
      expect(find(objects, 'HorizontalPodAutoscaler', 'todo-frontend').spec).toMatchObject({ minReplicas: 3, maxReplicas: 9 });
    });

    describe('fails when', () => {
      test('no cluster options are given', () => {
        expect(() => todo({ profile: Profile.CLUSTER, backend: { database: BackendDatabase.postgres(url) } })).toThrow(`'cluster' must be set with the cluster profile (at least 'cluster.host'), got undefined`);
      });
      test('the backend is on SQLite', () => {
        expect(() => todo({ profile: Profile.CLUSTER, cluster: { host: 'todo.example.com' } })).toThrow(`'backend.database' must be PostgreSQL in the cluster profile (pods on several nodes cannot share a SQLite file), got the default (sqlite)`);
      });
      test('the backend path is "/"', () => {
        expect(() => cluster({ cluster: { host: 'todo.example.com', backendPath: '/' } })).toThrow(`'cluster.backendPath' must be a path prefix such as "/api" (no trailing "/"), not "/" (the frontend is served at "/"), got "/"`);
      });
      test('replicas are fixed beside the autoscaler', () => {
        expect(() => cluster({ frontend: { replicas: 3 } })).toThrow(`'frontend.replicas' cannot be combined with 'frontend.autoscaling' (the autoscaler owns the replica count), got 3`);
      });
      test('the host is not a host name', () => {
        expect(() => cluster({ cluster: { host: 'Todo App' } })).toThrow(`'cluster.host' must be a host name`);
      });
      test('the TLS Secret or the IngressClass is not a name', () => {
        expect(() => cluster({ cluster: { host: 'todo.example.com', tlsSecret: 'Bad_Name' } })).toThrow(`'cluster.tlsSecret' must be`);
        expect(() => cluster({ cluster: { host: 'todo.example.com', ingressClassName: 'Bad_Name' } })).toThrow(`'cluster.ingressClassName' must be`);
      });
    });
  });

  describe('fails when', () => {
    test('both services get the same nodePort', () => {
      expect(() => todo({ backend: { nodePort: 30500 }, frontend: { nodePort: 30500 } })).toThrow(
        "'frontend.nodePort' must be different from 'backend.nodePort' (30500: a nodePort serves one Service per cluster), got 30500");
    });
    test('both components get the same name', () => {
      expect(() => todo({ backend: { name: 'todo' }, frontend: { name: 'todo' } })).toThrow("'frontend.name' must differ from 'backend.name'");
    });
    test('the node address is empty', () => {
      expect(() => todo({ nodeAddress: '' })).toThrow(`'nodeAddress' must be a hostname or IPv4 address: a DNS name whose last label starts with a letter (such as "minikube.local"), or four numbers from 0 to 255 without leading zeros (such as "192.168.49.2"), got ""`);
    });
  });
});
