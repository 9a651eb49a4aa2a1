import {
  checkAutoscalers, checkConfigMapKeys, checkDisruptionBudgets, checkIngresses, checkManifests, checkNetworkPolicies, checkNodePorts,
  checkProbePorts, checkReferences, checkServices, checkUniqueNames, checkWorkloadSelectors, describe as describeObject, Finding, formatFindings, labelSelectorMatches, podTemplates,
} from '../../lib/checks/semantic';
import { container, deployment, object, pod, service } from '../support/manifests';

/** Findings as `object field: message` lines, the way a report prints them. */
const lines = (findings: Finding[]): string[] => findings.map((f) => `${f.object} ${f.field}: ${f.message}`);

describe('describe', () => {
  test('names kind, namespace (default when unset) and name', () => {
    expect(describeObject(object('Service', 'web', {}, 'prod'))).toBe('Service prod/web');
    expect(describeObject(object('Service', 'web'))).toBe('Service default/web');
    expect(describeObject({ kind: 'Pod' })).toBe('Pod default/undefined');
  });
});

describe('podTemplates', () => {
  test('reads the template of each workload kind and the spec of a bare Pod; other kinds have none', () => {
    const kinds = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'];
    const objects = [...kinds.map((kind) => deployment(kind.toLowerCase(), { kind })), pod('p', { app: 'p' }), object('CronJob', 'c', { spec: { jobTemplate: {} } }), object('ConfigMap', 'cm')];
    const templates = podTemplates(objects);
    expect(templates.map((t) => `${t.owner.kind} ${t.path} ${JSON.stringify(t.labels)} ${t.spec.containers.length}`)).toEqual([
      ...kinds.map((kind) => `${kind} spec.template.spec {"app":"${kind.toLowerCase()}"} 1`),
      'Pod spec {"app":"p"} 1',
    ]);
  });

  test('a workload without a template and a Pod without labels or spec have empty ones', () => {
    expect(podTemplates([object('Deployment', 'd'), object('Deployment', 'e', { spec: { template: {} } }), object('Pod', 'p')]).map((t) => [t.labels, t.spec])).toEqual([[{}, {}], [{}, {}], [{}, {}]]);
    expect(podTemplates([{ kind: 'Pod' }])).toMatchObject([{ labels: {}, spec: {} }]);
  });
});

describe('labelSelectorMatches', () => {
  const labels = { app: 'todo', tier: 'web' };
  test.each([
    ['matchLabels, all held', { matchLabels: { app: 'todo', tier: 'web' } }, true],
    ['matchLabels, one of two held', { matchLabels: { app: 'todo', tier: 'db' } }, false],
    ['matchLabels, key absent', { matchLabels: { zone: 'a' } }, false],
    ['matchLabels naming an inherited property', { matchLabels: { toString: 'x' } }, false],
    ['In, value listed', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['db', 'web'] }] }, true],
    ['In, value not listed', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] }, false],
    ['In without values', { matchExpressions: [{ key: 'tier', operator: 'In' }] }, false],
    ['NotIn, value listed', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, false],
    ['NotIn, value not listed', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] }, true],
    ['NotIn without values', { matchExpressions: [{ key: 'tier', operator: 'NotIn' }] }, true],
    ['Exists, present', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    ['Exists, absent', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
    ['DoesNotExist, absent', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist, present', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    ['two expressions, the second failing', { matchExpressions: [{ key: 'app', operator: 'Exists' }, { key: 'tier', operator: 'DoesNotExist' }] }, false],
    ['matchLabels held but an expression not', { matchLabels: { app: 'todo' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, false],
    ['matchLabels not held, an expression held', { matchLabels: { app: 'other' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, false],
    ['an unknown operator', { matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] }, false],
    ['{} (everything)', {}, true],
    ['null (nothing)', null, false],
    ['undefined (nothing)', undefined, false],
  ])('%s', (_name, selector, expected) => {
    expect(labelSelectorMatches(selector as any, labels)).toBe(expected);
  });
});

describe('checkWorkloadSelectors', () => {
  test('passes when each workload\'s selector matches its template; Jobs, Pods and other kinds are not read', () => {
    const job = deployment('job', { kind: 'Job' });
    job.spec.selector = { matchLabels: { other: 'x' } };
    expect(checkWorkloadSelectors([deployment('a'), deployment('s', { kind: 'StatefulSet' }), job, pod('p'), object('ConfigMap', 'c', { spec: { selector: {} } })])).toEqual([]);
  });

  describe('fails when', () => {
    test.each([
      ['the selector names a label the template lacks', (d: any) => { d.spec.selector.matchLabels = { app: 'web', tier: 'db' }; },
        'selector {"app":"web","tier":"db"} does not match the pod template labels {"app":"web"}'],
      ['the selector has a different value', (d: any) => { d.spec.selector.matchLabels = { app: 'api' }; }, 'selector {"app":"api"} does not match the pod template labels {"app":"web"}'],
      ['the selector is empty', (d: any) => { d.spec.selector.matchLabels = {}; }, 'selector {} does not match the pod template labels {"app":"web"}'],
      ['the selector has no matchLabels', (d: any) => { d.spec.selector = {}; }, 'selector {} does not match the pod template labels {"app":"web"}'],
      ['the template has no labels', (d: any) => { delete d.spec.template.metadata; }, 'selector {"app":"web"} does not match the pod template labels {}'],
      ['the workload has no spec', (d: any) => { delete d.spec; }, 'selector {} does not match the pod template labels {}'],
      ['the workload has no selector', (d: any) => { delete d.spec.selector; }, 'selector {} does not match the pod template labels {"app":"web"}'],
      ['the workload has no template', (d: any) => { delete d.spec.template; }, 'selector {"app":"web"} does not match the pod template labels {}'],
    ])('%s', (_name, change, message) => {
      const d = deployment('web', { kind: 'DaemonSet', namespace: 'prod' });
      change(d);
      expect(checkWorkloadSelectors([d])).toEqual([{ object: 'DaemonSet prod/web', field: 'spec.selector.matchLabels', message }]);
    });
  });
});

describe('checkServices', () => {
  test('passes for named and numbered targetPorts, a port without targetPort, and an ExternalName Service', () => {
    const objects = [
      deployment('web'),
      service('web', { app: 'web' }, [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8000 }, { port: 8000 }]),
      service('ext', null, [], { type: 'ExternalName', externalName: 'db.example.com' }),
      service('ext-selecting', { app: 'nothing' }, [{ port: 1 }], { type: 'ExternalName' }),
    ];
    expect(checkServices(objects)).toEqual([]);
  });

  test('finds the port on an init container too (a native sidecar)', () => {
    const d = deployment('web', { pod: { containers: [container('main', { ports: [] })], initContainers: [container('proxy')] } });
    expect(checkServices([d, service('web')])).toEqual([]);
  });

  describe('fails when', () => {
    test.each([
      ['it has no selector', object('Service', 'web', { spec: { ports: [{ port: 80 }] } }), 'Service default/web spec.selector: selects no pods (selector {})'],
      ['its selector is empty', service('web', {}), 'Service default/web spec.selector: selects no pods (selector {})'],
      ['its selector matches no template', service('web', { app: 'api' }), 'Service default/web spec.selector: selects no pods (selector {"app":"api"})'],
      ['its selector matches one label of two', service('web', { app: 'web', tier: 'db' }), 'Service default/web spec.selector: selects no pods (selector {"app":"web","tier":"db"})'],
      ['its pods are in another namespace', service('web', { app: 'web' }, undefined, {}, 'prod'), 'Service prod/web spec.selector: selects no pods (selector {"app":"web"})'],
      ['a named targetPort is not a container port', service('web', { app: 'web' }, [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 'metrics' }]),
        'Service default/web spec.ports[1].targetPort: targetPort "metrics" is not a port of Deployment default/web\'s containers'],
      ['a numbered targetPort is not a container port', service('web', { app: 'web' }, [{ port: 80, targetPort: 9000 }]),
        'Service default/web spec.ports[0].targetPort: targetPort 9000 is not a port of Deployment default/web\'s containers'],
      ['a port without targetPort is not a container port', service('web', { app: 'web' }, [{ port: 80 }]),
        'Service default/web spec.ports[0].targetPort: targetPort 80 is not a port of Deployment default/web\'s containers'],
      ['a port has neither port nor targetPort (no unnamed container port matches it)', service('web', { app: 'web' }, [{ name: 'x' }]),
        'Service default/web spec.ports[0].targetPort: targetPort undefined is not a port of Deployment default/web\'s containers'],
    ])('%s', (_name, svc, expected) => {
      const d = deployment('web');
      d.spec.template.spec.containers[0].ports.push({ containerPort: 8001 });
      expect(lines(checkServices([d, svc]))).toEqual([expected]);
    });

    test('a targetPort is missing on one of the workloads it selects (each checked)', () => {
      const a = deployment('a', { labels: { part: 'todo', app: 'a' } });
      const b = deployment('b', { labels: { part: 'todo', app: 'b' } });
      b.spec.template.spec.containers[0].ports = [{ containerPort: 8000 }];
      expect(lines(checkServices([a, b, service('todo', { part: 'todo' })]))).toEqual([
        'Service default/todo spec.ports[0].targetPort: targetPort "http" is not a port of Deployment default/b\'s containers',
      ]);
    });

    test('the Service has no spec', () => {
      expect(lines(checkServices([deployment('web'), object('Service', 'web')]))).toEqual(['Service default/web spec.selector: selects no pods (selector {})']);
    });

    test('the selected pod has no ports (a pod without containers included)', () => {
      expect(lines(checkServices([pod('web', { app: 'web' }, {}), service('web', { app: 'web' }, [{ port: 80 }])]))).toEqual([
        'Service default/web spec.ports[0].targetPort: targetPort 80 is not a port of Pod default/web\'s containers',
      ]);
      expect(checkServices([pod('web', { app: 'web' }, {}), service('web', { app: 'web' }, [])])).toEqual([]);
      expect(checkServices([pod('web', { app: 'web' }, {}), object('Service', 'web', { spec: { selector: { app: 'web' } } })])).toEqual([]);
    });
  });
});

describe('checkProbePorts', () => {
  const probes = ['livenessProbe', 'readinessProbe', 'startupProbe'];
  test('passes for probes on named and numbered ports, exec probes and containers without probes', () => {
    const c = container('app', {
      livenessProbe: { httpGet: { path: '/', port: 'http' } },
      readinessProbe: { tcpSocket: { port: 8000 } },
      startupProbe: { grpc: { port: 8000 } },
    });
    const e = container('exec', { livenessProbe: { exec: { command: ['true'] } }, ports: undefined });
    expect(checkProbePorts([deployment('web', { pod: { containers: [c, e] } })])).toEqual([]);
  });

  describe('fails when', () => {
    const cases: Array<[string, string, any, string]> = [];
    for (const probe of probes) {
      cases.push(
        [`a ${probe} httpGet names a port the container lacks`, probe, { httpGet: { path: '/', port: 'web' } }, `${probe}.httpGet.port: port "web" is not a port of container "app"`],
        [`a ${probe} tcpSocket numbers a port the container lacks`, probe, { tcpSocket: { port: 9000 } }, `${probe}.tcpSocket.port: port 9000 is not a port of container "app"`],
        [`a ${probe} grpc numbers a port the container lacks`, probe, { grpc: { port: 9000 } }, `${probe}.grpc.port: port 9000 is not a port of container "app"`],
      );
    }
    cases.push(['an httpGet probe has no port (an unnamed container port does not match it)', 'livenessProbe', { httpGet: { path: '/' } },
      'livenessProbe.httpGet.port: port undefined is not a port of container "app"']);
    test.each(cases)('%s', (_name, probe, handler, expected) => {
      const d = deployment('web', { namespace: 'prod' });
      d.spec.template.spec.containers[0].ports.push({ containerPort: 8001 });
      d.spec.template.spec.containers[0][probe] = handler;
      expect(lines(checkProbePorts([d]))).toEqual([`Deployment prod/web spec.template.spec.containers[0].${expected}`]);
    });

    test('a probe numbers the port that another container has, or the container has no ports', () => {
      const init = container('init', { ports: undefined, startupProbe: { tcpSocket: { port: 8000 } } });
      const p = pod('p', { app: 'p' }, { initContainers: [init], containers: [container('app', { ports: [{ containerPort: 8000 }] })] });
      expect(lines(checkProbePorts([p]))).toEqual(['Pod default/p spec.initContainers[0].startupProbe.tcpSocket.port: port 8000 is not a port of container "init"']);
    });

    test('a named probe port matches the number but not the name', () => {
      const d = deployment('web');
      d.spec.template.spec.containers[0].readinessProbe = { httpGet: { port: 8000 } };
      d.spec.template.spec.containers[0].livenessProbe = { httpGet: { port: 'x' } };
      d.spec.template.spec.containers[0].ports = [{ name: 'http', containerPort: 8000 }, { name: 'other', containerPort: 9000 }];
      expect(lines(checkProbePorts([d]))).toEqual(['Deployment default/web spec.template.spec.containers[0].livenessProbe.httpGet.port: port "x" is not a port of container "app"']);
    });
  });
});

describe('checkReferences', () => {
  /** A Deployment in `ns` whose container gets `extra`, and whose pod gets `podExtra`. */
  function workload(extra: { [key: string]: any }, podExtra: { [key: string]: any } = {}, ns?: string): any {
    return deployment('web', { namespace: ns, pod: { containers: [container('app', extra)], ...podExtra } });
  }
  const cm = (name: string, body: { [key: string]: any } = { data: { A: '1' } }, ns?: string) => object('ConfigMap', name, body, ns);
  const secret = (name: string, body: { [key: string]: any } = { data: { A: 'MQ==' } }, ns?: string) => object('Secret', name, body, ns);
  const at = 'Deployment default/web spec.template.spec';

  test('passes when every reference resolves: envFrom, keys from data, stringData and binaryData, volumes and claims', () => {
    const d = workload({
      envFrom: [{ configMapRef: { name: 'c' } }, { secretRef: { name: 's' } }],
      env: [
        { name: 'PLAIN', value: 'x' },
        { name: 'A', valueFrom: { configMapKeyRef: { name: 'c', key: 'A' } } },
        { name: 'B', valueFrom: { configMapKeyRef: { name: 'c', key: 'B' } } },
        { name: 'C', valueFrom: { secretKeyRef: { name: 's', key: 'A' } } },
        { name: 'D', valueFrom: { secretKeyRef: { name: 's', key: 'S' } } },
        { name: 'E', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ],
      volumeMounts: [{ name: 'config', mountPath: '/c' }, { name: 'data', mountPath: '/d' }, { name: 'keys', mountPath: '/k' }],
    }, {
      volumes: [{ name: 'config', configMap: { name: 'c' } }, { name: 'data', persistentVolumeClaim: { claimName: 'pvc' } }, { name: 'keys', secret: { secretName: 's' } }, { name: 'tmp', emptyDir: {} }],
    });
    const objects = [d, cm('c', { data: { A: '1' }, binaryData: { B: 'AA==' } }), secret('s', { data: { A: 'MQ==' }, stringData: { S: 'x' } }), object('PersistentVolumeClaim', 'pvc')];
    expect(checkReferences(objects)).toEqual([]);
  });

  test('optional references and ones the options name as external may be missing', () => {
    const d = workload({
      envFrom: [{ configMapRef: { name: 'c', optional: true } }, { secretRef: { name: 's', optional: true } }, { configMapRef: { name: 'ext-c' } }, { secretRef: { name: 'ext-s' } }],
      env: [
        { name: 'A', valueFrom: { configMapKeyRef: { name: 'c', key: 'A', optional: true } } },
        { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'A', optional: true } } },
        { name: 'C', valueFrom: { secretKeyRef: { name: 'ext-s', key: 'A' } } },
        { name: 'D', valueFrom: { configMapKeyRef: { name: 'have', key: 'MISSING', optional: true } } },
      ],
    }, { volumes: [{ name: 'v', configMap: { name: 'c', optional: true } }, { name: 'w', secret: { secretName: 's', optional: true } }, { name: 'x', secret: { secretName: 'ext-s' } }, { name: 'y', persistentVolumeClaim: { claimName: 'ext-pvc' } }] });
    expect(checkReferences([d, cm('have')], { externalConfigMaps: ['ext-c'], externalSecrets: ['ext-s'], externalClaims: ['ext-pvc'] })).toEqual([]);
  });

  describe('fails when', () => {
    const cases: Array<[string, any, any[], string]> = [
      ['an envFrom ConfigMap does not exist', workload({ envFrom: [{ secretRef: { name: 's' } }, { configMapRef: { name: 'c' } }] }), [secret('s')],
        `${at}.containers[0].envFrom[1].configMapRef: refers to ConfigMap default/c, which is not among the manifests`],
      ['an envFrom Secret does not exist', workload({ envFrom: [{ configMapRef: { name: 'c' } }, { secretRef: { name: 's' } }] }), [cm('c')],
        `${at}.containers[0].envFrom[1].secretRef: refers to Secret default/s, which is not among the manifests`],
      ['an envFrom optional: false Secret does not exist', workload({ envFrom: [{ secretRef: { name: 's', optional: false } }] }), [],
        `${at}.containers[0].envFrom[0].secretRef: refers to Secret default/s, which is not among the manifests`],
      ['a configMapKeyRef names a ConfigMap that does not exist', workload({ env: [{ name: 'A', value: 'x' }, { name: 'B', valueFrom: { configMapKeyRef: { name: 'c', key: 'A' } } }] }), [],
        `${at}.containers[0].env[1].valueFrom.configMapKeyRef: refers to ConfigMap default/c, which is not among the manifests`],
      ['a configMapKeyRef names a key the ConfigMap lacks', workload({ env: [{ name: 'B', valueFrom: { configMapKeyRef: { name: 'c', key: 'B' } } }] }), [cm('c')],
        `${at}.containers[0].env[0].valueFrom.configMapKeyRef: refers to key "B" of ConfigMap default/c, which has no such key`],
      ['a secretKeyRef names a Secret that does not exist', workload({ env: [{ name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'A' } } }] }), [cm('s')],
        `${at}.containers[0].env[0].valueFrom.secretKeyRef: refers to Secret default/s, which is not among the manifests`],
      ['a secretKeyRef names a key the Secret lacks (a ConfigMap of that name has it)', workload({ env: [{ name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'B' } } }] }), [secret('s'), cm('s', { data: { B: 'x' } })],
        `${at}.containers[0].env[0].valueFrom.secretKeyRef: refers to key "B" of Secret default/s, which has no such key`],
      ['a key is asked of an object with no data at all', workload({ env: [{ name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'B' } } }] }), [secret('s', {})],
        `${at}.containers[0].env[0].valueFrom.secretKeyRef: refers to key "B" of Secret default/s, which has no such key`],
      ['the ConfigMap is in another namespace', workload({ envFrom: [{ configMapRef: { name: 'c' } }] }), [cm('c', undefined, 'prod')],
        `${at}.containers[0].envFrom[0].configMapRef: refers to ConfigMap default/c, which is not among the manifests`],
      ['a name is external as the other kind only', workload({ envFrom: [{ configMapRef: { name: 'ext' } }] }), [],
        `${at}.containers[0].envFrom[0].configMapRef: refers to ConfigMap default/ext, which is not among the manifests`],
      ['a volume mount names no volume', workload({ volumeMounts: [{ name: 'tmp', mountPath: '/t' }, { name: 'ghost', mountPath: '/g' }] }, { volumes: [{ name: 'tmp', emptyDir: {} }] }), [],
        `${at}.containers[0].volumeMounts[1].name: mounts volume "ghost", which the pod does not declare`],
      ['a volume mount names a volume of a pod without volumes', workload({ volumeMounts: [{ name: 'tmp', mountPath: '/t' }] }), [],
        `${at}.containers[0].volumeMounts[0].name: mounts volume "tmp", which the pod does not declare`],
      ['a volume mount has no name', workload({ volumeMounts: [{ mountPath: '/t' }] }), [],
        `${at}.containers[0].volumeMounts[0].name: mounts volume undefined, which the pod does not declare`],
      ['a configMap volume refers to a missing ConfigMap', workload({}, { volumes: [{ name: 'tmp', emptyDir: {} }, { name: 'v', configMap: { name: 'c' } }] }), [secret('c')],
        `${at}.volumes[1].configMap: refers to ConfigMap default/c, which is not among the manifests`],
      ['a secret volume refers to a missing Secret', workload({}, { volumes: [{ name: 'v', secret: { secretName: 's' } }] }), [cm('s')],
        `${at}.volumes[0].secret: refers to Secret default/s, which is not among the manifests`],
      ['an image pull Secret is neither among the manifests nor external', workload({}, { imagePullSecrets: [{ name: 'ext' }, { name: 'regcred' }] }), [cm('regcred')],
        `${at}.imagePullSecrets[1]: refers to Secret default/regcred, which is not among the manifests`],
      ['a claim does not exist', workload({}, { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] }), [object('PersistentVolumeClaim', 'data', {}, 'prod')],
        `${at}.volumes[0].persistentVolumeClaim: refers to PersistentVolumeClaim default/data, which is not among the manifests`],
      ['a claim is external only as a Secret\'s name', workload({}, { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'ext' } }] }), [],
        `${at}.volumes[0].persistentVolumeClaim: refers to PersistentVolumeClaim default/ext, which is not among the manifests`],
      ['an init container refers to a missing ConfigMap', deployment('web', { pod: { initContainers: [container('init', { envFrom: [{ configMapRef: { name: 'c' } }] })] } }), [],
        `${at}.initContainers[0].envFrom[0].configMapRef: refers to ConfigMap default/c, which is not among the manifests`],
    ];
    test.each(cases)('%s', (_name, workloadObject, others, expected) => {
      expect(lines(checkReferences([workloadObject, ...others], { externalSecrets: ['ext'] }))).toEqual([expected]);
    });

    test('references resolve in the namespace of the pod', () => {
      const d = workload({ envFrom: [{ configMapRef: { name: 'c' } }] }, {}, 'prod');
      expect(checkReferences([d, cm('c', undefined, 'prod')])).toEqual([]);
      expect(lines(checkReferences([d, cm('c')]))).toEqual(['Deployment prod/web spec.template.spec.containers[0].envFrom[0].configMapRef: refers to ConfigMap prod/c, which is not among the manifests']);
    });

    test('a bare Pod refers to a missing Secret key (a missing optional one is fine)', () => {
      const p = pod('p', { app: 'p' }, { containers: [container('app', { env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'A' } } }, { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'B', optional: true } } }] })] });
      expect(lines(checkReferences([p, secret('s', { stringData: { B: 'x' } })]))).toEqual([
        'Pod default/p spec.containers[0].env[0].valueFrom.secretKeyRef: refers to key "A" of Secret default/s, which has no such key',
      ]);
    });
  });
});

describe('checkNodePorts', () => {
  const nodePortService = (name: string, ports: any[], type: string | null = 'NodePort') => service(name, { app: name }, ports, type === null ? {} : { type });
  test('passes at both ends of the range, on NodePort and LoadBalancer Services, and for ports without a nodePort', () => {
    expect(checkNodePorts([
      nodePortService('a', [{ port: 80 }, { port: 81, nodePort: 30000 }]),
      nodePortService('b', [{ port: 80, nodePort: 32767 }], 'LoadBalancer'),
      nodePortService('c', [{ port: 80 }], null),
      object('Service', 'none'),
      object('ConfigMap', 'c', { spec: { ports: [{ nodePort: 1 }] } }),
    ])).toEqual([]);
  });

  describe('fails when', () => {
    test.each([
      ['below the range', 29999, 'nodePort must be between 30000 and 32767, got 29999'],
      ['above the range', 32768, 'nodePort must be between 30000 and 32767, got 32768'],
      ['not an integer', 30000.5, 'nodePort must be between 30000 and 32767, got 30000.5'],
      ['a string', '30001', 'nodePort must be between 30000 and 32767, got "30001"'],
    ])('a nodePort is %s', (_name, nodePort, message) => {
      expect(lines(checkNodePorts([nodePortService('web', [{ port: 80 }, { port: 81, nodePort }])]))).toEqual([`Service default/web spec.ports[1].nodePort: ${message}`]);
    });

    test.each([
      ['ClusterIP', 'ClusterIP', 'nodePort needs type NodePort or LoadBalancer, got "ClusterIP"'],
      ['no type (ClusterIP)', null, 'nodePort needs type NodePort or LoadBalancer, got "ClusterIP"'],
      ['ExternalName', 'ExternalName', 'nodePort needs type NodePort or LoadBalancer, got "ExternalName"'],
    ])('a nodePort is set on a Service of type %s', (_name, type, message) => {
      expect(lines(checkNodePorts([nodePortService('web', [{ port: 80, nodePort: 30001 }], type)]))).toEqual([`Service default/web spec.ports[0].nodePort: ${message}`]);
    });

    test('two ports use the same nodePort, reported on the later one, once per reuse', () => {
      expect(lines(checkNodePorts([
        nodePortService('a', [{ port: 80, nodePort: 30001 }, { port: 81, nodePort: 30002 }]),
        nodePortService('b', [{ port: 80, nodePort: 30001 }]),
        nodePortService('c', [{ port: 80, nodePort: 30002 }, { port: 81, nodePort: 30001 }]),
      ]))).toEqual([
        'Service default/b spec.ports[0].nodePort: nodePort 30001 is also used by Service default/a',
        'Service default/c spec.ports[0].nodePort: nodePort 30002 is also used by Service default/a',
        'Service default/c spec.ports[1].nodePort: nodePort 30001 is also used by Service default/a',
      ]);
    });
  });
});

describe('checkUniqueNames', () => {
  const message = (n: number) => `${n} objects have this kind, namespace and name; the cluster keeps one, so each apply would overwrite the others (give each a name of its own)`;
  test('passes for one name per kind and namespace: the same name in another kind or namespace, and objects named by the API server', () => {
    expect(checkUniqueNames([
      object('ConfigMap', 'web'), object('Secret', 'web'), object('ConfigMap', 'web', {}, 'prod'),
      { kind: 'Pod', metadata: { generateName: 'job-' } }, { kind: 'Pod', metadata: { generateName: 'job-' } }, { kind: 'Pod' },
    ])).toEqual([]);
  });

  describe('fails when', () => {
    test('two objects have the same kind, namespace and name, an unset namespace reading as default; once per name, counting all', () => {
      expect(lines(checkUniqueNames([
        object('ConfigMap', 'web'), object('ConfigMap', 'web', {}, 'default'), object('Service', 'api', {}, 'prod'),
        object('Service', 'api', {}, 'prod'), object('ConfigMap', 'web'),
      ]))).toEqual([
        `ConfigMap default/web metadata.name: ${message(3)}`,
        `Service prod/api metadata.name: ${message(2)}`,
      ]);
    });
  });
});

describe('checkConfigMapKeys', () => {
  test('passes for plain keys, ConfigMaps without data, and Secrets', () => {
    expect(checkConfigMapKeys([object('ConfigMap', 'a', { data: { API_URL: 'x', LOG_LEVEL: 'info' } }), object('ConfigMap', 'b'), object('Secret', 's', { data: { JWT_SECRET: 'x' } })])).toEqual([]);
  });

  test.each(['JWT_SECRET', 'db_password', 'PASSWD', 'GITHUB_TOKEN', 'APIKEY', 'ANTHROPIC_API_KEY', 'PRIVATE_KEY', 'privatekey', 'AWS_CREDENTIALS'])('fails when a ConfigMap key is %s', (key) => {
    expect(checkConfigMapKeys([object('ConfigMap', 'cfg', { data: { LOG_LEVEL: 'info', [key]: 'x' } }, 'prod')])).toEqual([
      { object: 'ConfigMap prod/cfg', field: `data.${key}`, message: `key ${JSON.stringify(key)} looks like a secret; secrets belong in a Secret` },
    ]);
  });
});

describe('checkNetworkPolicies', () => {
  const policy = (name: string, podSelector: any, ingress?: any[], ns?: string) => object('NetworkPolicy', name, { spec: { ...(podSelector === undefined ? {} : { podSelector }), ...(ingress === undefined ? {} : { ingress }) } }, ns);
  test('passes for named and numbered ports, rules without ports, ports without a port, and matchExpressions selectors', () => {
    expect(checkNetworkPolicies([
      deployment('web', { pod: { initContainers: [container('proxy', { ports: [{ containerPort: 9000 }] })] } }),
      policy('web', { matchLabels: { app: 'web' } }, [{ ports: [{ port: 'http' }, { port: 8000 }, { port: 9000 }, { protocol: 'TCP' }] }, { from: [] }]),
      policy('expr', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }),
      policy('all', {}, [{ ports: [{ port: 8000 }] }]),
    ])).toEqual([]);
  });

  describe('fails when', () => {
    test.each([
      ['its selector matches no pod', policy('np', { matchLabels: { app: 'api' } }), 'NetworkPolicy default/np spec.podSelector: selects no pods (selector {"matchLabels":{"app":"api"}})'],
      ['it has no podSelector', policy('np', undefined), 'NetworkPolicy default/np spec.podSelector: selects no pods (selector null)'],
      ['it has no spec', object('NetworkPolicy', 'np'), 'NetworkPolicy default/np spec.podSelector: selects no pods (selector null)'],
      ['its pods are in another namespace', policy('np', {}, undefined, 'prod'), 'NetworkPolicy prod/np spec.podSelector: selects no pods (selector {})'],
      ['it admits a named port the pods lack', policy('np', {}, [{ ports: [{ port: 'http' }] }, { ports: [{ port: 8000 }, { port: 'metrics' }] }]),
        'NetworkPolicy default/np spec.ingress[1].ports[1].port: port "metrics" is not a port of Deployment default/web\'s containers'],
      ['it admits a numbered port the pods lack', policy('np', { matchLabels: { app: 'web' } }, [{ ports: [{ port: 9000 }] }]),
        'NetworkPolicy default/np spec.ingress[0].ports[0].port: port 9000 is not a port of Deployment default/web\'s containers'],
    ])('%s', (_name, np, expected) => {
      expect(lines(checkNetworkPolicies([deployment('web'), np]))).toEqual([expected]);
    });

    test('a port is missing on one of two selected workloads (each checked); a policy that selects nothing reports only that', () => {
      const a = deployment('a', { labels: { part: 'todo', app: 'a' } });
      const b = deployment('b', { labels: { part: 'todo', app: 'b' } });
      b.spec.template.spec.containers[0].ports = [{ containerPort: 9000 }];
      expect(lines(checkNetworkPolicies([a, b, policy('np', { matchLabels: { part: 'todo' } }, [{ ports: [{ port: 'http' }] }]), policy('none', { matchLabels: { part: 'x' } }, [{ ports: [{ port: 1 }] }])]))).toEqual([
        'NetworkPolicy default/np spec.ingress[0].ports[0].port: port "http" is not a port of Deployment default/b\'s containers',
        'NetworkPolicy default/none spec.podSelector: selects no pods (selector {"matchLabels":{"part":"x"}})',
      ]);
    });
  });
});

describe('checkIngresses', () => {
  const ingress = (paths: any[], ns?: string) => object('Ingress', 'ing', { spec: { rules: [{ host: 'a.example.com' }, { host: 'b.example.com', http: { paths } }] } }, ns);
  const path = (service: any) => ({ path: '/', pathType: 'Prefix', backend: { service } });
  const svc = service('web', { app: 'web' }, [{ name: 'http', port: 80 }, { port: 81 }]);

  test('passes for a Service port by name and by number, a resource backend, and Ingresses without rules or paths', () => {
    expect(checkIngresses([
      svc,
      ingress([path({ name: 'web', port: { name: 'http' } }), path({ name: 'web', port: { number: 81 } }), { path: '/r', backend: { resource: { kind: 'Bucket', name: 'b' } } }, { path: '/none' }]),
      object('Ingress', 'empty'),
      object('Ingress', 'no-paths', { spec: { rules: [{ http: {} }] } }),
      object('Route', 'not-an-ingress', { spec: { rules: [{ http: { paths: [path({ name: 'ghost' })] } }] } }),
    ])).toEqual([]);
  });

  describe('fails when', () => {
    const at = 'Ingress default/ing spec.rules[1].http.paths[1].backend.service';
    test.each([
      ['the Service does not exist', { name: 'api', port: { number: 80 } }, `${at}: routes to Service default/api, which is not among the manifests`],
      ['the named port does not exist', { name: 'web', port: { name: 'grpc' } }, `${at}.port: port {"name":"grpc"} is not a port of Service default/web`],
      ['the numbered port does not exist', { name: 'web', port: { number: 8080 } }, `${at}.port: port {"number":8080} is not a port of Service default/web`],
      ['the name is a number the Service has, but not a name', { name: 'web', port: { name: 'api', number: 80 } }, `${at}.port: port {"name":"api","number":80} is not a port of Service default/web`],
      ['no port is given', { name: 'web' }, `${at}.port: port undefined is not a port of Service default/web`],
    ])('%s', (_name, backend, expected) => {
      expect(lines(checkIngresses([svc, object('ConfigMap', 'api'), ingress([path({ name: 'web', port: { number: 80 } }), path(backend)])]))).toEqual([expected]);
    });

    test('the Service is in another namespace', () => {
      expect(lines(checkIngresses([svc, ingress([path({ name: 'web', port: { number: 80 } })], 'prod')]))).toEqual([
        'Ingress prod/ing spec.rules[1].http.paths[0].backend.service: routes to Service prod/web, which is not among the manifests',
      ]);
    });

    test('the Service has no ports (with a port asked for, or none)', () => {
      expect(lines(checkIngresses([object('Service', 'web'), ingress([path({ name: 'web', port: { number: 80 } }), path({ name: 'web' })])]))).toEqual([
        'Ingress default/ing spec.rules[1].http.paths[0].backend.service.port: port {"number":80} is not a port of Service default/web',
        'Ingress default/ing spec.rules[1].http.paths[1].backend.service.port: port undefined is not a port of Service default/web',
      ]);
    });
  });
});

describe('checkAutoscalers', () => {
  const hpa = (kind: string, name: string, ns?: string) => object('HorizontalPodAutoscaler', 'hpa', { spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind, name }, minReplicas: 1, maxReplicas: 3 } }, ns);
  test('passes when the target exists and leaves its replica count to the autoscaler', () => {
    expect(checkAutoscalers([deployment('web'), hpa('Deployment', 'web'), deployment('db', { kind: 'StatefulSet' }), object('ConfigMap', 'web', { spec: { replicas: 2 } })])).toEqual([]);
  });

  describe('fails when', () => {
    test.each([
      ['the target does not exist', [hpa('Deployment', 'api')], 'HorizontalPodAutoscaler default/hpa spec.scaleTargetRef: scales Deployment default/api, which is not among the manifests'],
      ['the target is of another kind', [hpa('StatefulSet', 'web')], 'HorizontalPodAutoscaler default/hpa spec.scaleTargetRef: scales StatefulSet default/web, which is not among the manifests'],
      ['the target is in another namespace', [hpa('Deployment', 'web', 'prod')], 'HorizontalPodAutoscaler prod/hpa spec.scaleTargetRef: scales Deployment prod/web, which is not among the manifests'],
      ['the autoscaler has no target', [object('HorizontalPodAutoscaler', 'hpa')], 'HorizontalPodAutoscaler default/hpa spec.scaleTargetRef: scales undefined default/undefined, which is not among the manifests'],
    ])('%s', (_name, others, expected) => {
      expect(lines(checkAutoscalers([deployment('web'), ...others]))).toEqual([expected]);
    });

    test.each([2, 0])('the target sets replicas (%s)', (replicas) => {
      const d = deployment('web');
      d.spec.replicas = replicas;
      expect(lines(checkAutoscalers([d, hpa('Deployment', 'web')]))).toEqual([
        `Deployment default/web spec.replicas: is set (${replicas}) although HorizontalPodAutoscaler default/hpa scales it; every apply would reset the autoscaler's count`,
      ]);
    });

    test('a target without spec passes (nothing set)', () => {
      expect(checkAutoscalers([object('Deployment', 'web'), hpa('Deployment', 'web')])).toEqual([]);
    });
  });
});

describe('checkDisruptionBudgets', () => {
  const pdb = (selector: any, ns?: string) => object('PodDisruptionBudget', 'pdb', { spec: { minAvailable: 1, ...(selector === undefined ? {} : { selector }) } }, ns);
  test('passes when the selector matches pods by labels or expressions', () => {
    expect(checkDisruptionBudgets([deployment('web'), pdb({ matchLabels: { app: 'web' } })])).toEqual([]);
    expect(checkDisruptionBudgets([deployment('web'), pdb({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] })])).toEqual([]);
    expect(checkDisruptionBudgets([pod('p'), deployment('web'), pdb({ matchLabels: { app: 'web' } })])).toEqual([]);
  });

  describe('fails when', () => {
    test.each([
      ['its selector matches no pod', pdb({ matchLabels: { app: 'api' } }), 'PodDisruptionBudget default/pdb spec.selector: selects no pods (selector {"matchLabels":{"app":"api"}})'],
      ['it has no selector', pdb(undefined), 'PodDisruptionBudget default/pdb spec.selector: selects no pods (selector null)'],
      ['it has no spec', object('PodDisruptionBudget', 'pdb'), 'PodDisruptionBudget default/pdb spec.selector: selects no pods (selector null)'],
      ['its pods are in another namespace', pdb({}, 'prod'), 'PodDisruptionBudget prod/pdb spec.selector: selects no pods (selector {})'],
    ])('%s', (_name, budget, expected) => {
      expect(lines(checkDisruptionBudgets([deployment('web'), object('Service', 'x'), budget]))).toEqual([expected]);
    });
  });
});

describe('checkManifests', () => {
  test('runs every semantic check', () => {
    const d = deployment('web');
    d.spec.selector.matchLabels = { app: 'other' };
    d.spec.replicas = 2;
    d.spec.template.spec.containers[0].livenessProbe = { tcpSocket: { port: 1 } };
    d.spec.template.spec.containers[0].envFrom = [{ configMapRef: { name: 'missing' } }];
    const objects = [
      d,
      service('web', { app: 'nothing' }, [{ port: 80, nodePort: 1 }], { type: 'NodePort' }),
      object('ConfigMap', 'cfg', { data: { TOKEN: 'x' } }),
      object('NetworkPolicy', 'np', { spec: { podSelector: { matchLabels: { app: 'nothing' } } } }),
      object('Ingress', 'ing', { spec: { rules: [{ http: { paths: [{ backend: { service: { name: 'api', port: { number: 80 } } } }] } }] } }),
      object('HorizontalPodAutoscaler', 'hpa', { spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' } } }),
      object('PodDisruptionBudget', 'pdb', { spec: { selector: { matchLabels: { app: 'nothing' } } } }),
    ];
    objects.push(object('ConfigMap', 'cfg'));
    expect(checkManifests(objects).map((f) => `${f.object} ${f.field}`)).toEqual([
      'ConfigMap default/cfg metadata.name',
      'Deployment default/web spec.selector.matchLabels',
      'Service default/web spec.selector',
      'Deployment default/web spec.template.spec.containers[0].livenessProbe.tcpSocket.port',
      'Deployment default/web spec.template.spec.containers[0].envFrom[0].configMapRef',
      'Service default/web spec.ports[0].nodePort',
      'ConfigMap default/cfg data.TOKEN',
      'NetworkPolicy default/np spec.podSelector',
      'Ingress default/ing spec.rules[0].http.paths[0].backend.service',
      'Deployment default/web spec.replicas',
      'PodDisruptionBudget default/pdb spec.selector',
    ]);
  });

  test('passes external names on to the reference check', () => {
    const d = deployment('web', { pod: { containers: [container('app', { envFrom: [{ configMapRef: { name: 'c' } }, { secretRef: { name: 's' } }] })] } });
    expect(checkManifests([d, service('web')], { externalConfigMaps: ['c'], externalSecrets: ['s'] })).toEqual([]);
    expect(checkManifests([d, service('web')]).map((f) => f.message)).toEqual([
      'refers to ConfigMap default/c, which is not among the manifests',
      'refers to Secret default/s, which is not among the manifests',
    ]);
  });
});

describe('objects without metadata', () => {
  test('count as unnamed objects of the default namespace, found by no reference', () => {
    const anonymous = ['Service', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'Deployment'].map((kind) => ({ kind }));
    const d = deployment('web', { pod: { containers: [container('app', { envFrom: [{ configMapRef: { name: 'c' } }] })], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] } });
    const objects = [
      ...anonymous, d, service('web'),
      object('Ingress', 'ing', { spec: { rules: [{ http: { paths: [{ backend: { service: { name: 'api', port: { number: 80 } } } }] } }] } }),
      object('HorizontalPodAutoscaler', 'hpa', { spec: { scaleTargetRef: { kind: 'Deployment', name: 'api' } } }),
    ];
    expect(checkManifests(objects).map((f) => `${f.object} ${f.message}`)).toEqual([
      'Deployment default/undefined selector {} does not match the pod template labels {}',
      'Service default/undefined selects no pods (selector {})',
      'Deployment default/web refers to ConfigMap default/c, which is not among the manifests',
      'Deployment default/web refers to PersistentVolumeClaim default/data, which is not among the manifests',
      'Ingress default/ing routes to Service default/api, which is not among the manifests',
      'HorizontalPodAutoscaler default/hpa scales Deployment default/api, which is not among the manifests',
    ]);
  });
});

describe('formatFindings', () => {
  test('one indented line per finding', () => {
    expect(formatFindings([{ object: 'Service default/a', field: 'spec.selector', message: 'm1' }, { object: 'Pod x/b', field: 'spec', message: 'm2' }]))
      .toBe('  - Service default/a spec.selector: m1\n  - Pod x/b spec: m2');
    expect(formatFindings([])).toBe('');
  });
});
