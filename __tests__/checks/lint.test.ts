import { checkLint, exceptionsWithoutReason, formatLintWarnings, kubeLinterLatestTag, kubeScoreTag, LINT_RULES, LintFinding } from '../../lib/checks/lint';

const LABELS = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' };

/** A small app that passes every lint rule; each test breaks one thing. */
function clean(): any[] {
  return JSON.parse(JSON.stringify([
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' },
      spec: {
        replicas: 2,
        selector: { matchLabels: LABELS },
        template: {
          metadata: { labels: { ...LABELS, app: 'web' } },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 },
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: LABELS } } }],
              },
            },
            containers: [{
              name: 'web',
              image: 'registry.example.com/web:1.2.3',
              imagePullPolicy: 'Always',
              ports: [{ name: 'http', containerPort: 8080 }],
              livenessProbe: { tcpSocket: { port: 'http' } },
              readinessProbe: { httpGet: { path: '/health', port: 'http' } },
              resources: { requests: { 'ephemeral-storage': '1Gi' }, limits: { 'ephemeral-storage': '1024Mi' } },
            }],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { type: 'ClusterIP', selector: LABELS, ports: [{ port: 80, targetPort: 'http' }] } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web', namespace: 'shop' }, spec: { podSelector: { matchLabels: LABELS }, policyTypes: ['Ingress', 'Egress'] } },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'shop' }, spec: { minAvailable: 1, selector: { matchLabels: LABELS }, unhealthyPodEvictionPolicy: 'AlwaysAllow' } },
  ]));
}
const find = (o: any[], kind: string) => o.find((x) => x.kind === kind);
const deployment = (o: any[]) => find(o, 'Deployment');
const pod = (o: any[]) => deployment(o).spec.template.spec;
const container = (o: any[]) => pod(o).containers[0];
const checks = (findings: LintFinding[]) => findings.map((f) => `${f.tool} ${f.check}`);

test('the clean app passes every rule, and every rule is named as its tool names it', () => {
  expect(checkLint(clean())).toEqual([]);
  expect(LINT_RULES.map((r) => `${r.tool} ${r.check}`)).toEqual([
    'kube-score pod-networkpolicy',
    'kube-score pod-probes',
    'kube-score container-security-context-user-group-id',
    'kube-score container-ephemeral-storage-request-and-limit',
    'kube-score container-image-tag',
    'kube-score container-image-pull-policy',
    'kube-score service-type',
    'kube-linter latest-tag',
    'kube-linter pdb-unhealthy-pod-eviction-policy',
    'kube-linter no-anti-affinity',
    'kube-linter non-existent-service-account',
  ]);
});

type Case = [string, (o: any[]) => void, string];

const CASES: { [check: string]: Case[] } = {
  'kube-score pod-networkpolicy': [
    ['the policy has no Egress type', (o) => { find(o, 'NetworkPolicy').spec.policyTypes = ['Ingress']; }, 'no NetworkPolicy of type Egress targets the pods'],
    ['the policy has no Ingress type', (o) => { find(o, 'NetworkPolicy').spec.policyTypes = ['Egress']; }, 'no NetworkPolicy of type Ingress targets the pods'],
    ['no policy selects the pods', (o) => { find(o, 'NetworkPolicy').spec.podSelector.matchLabels = { app: 'other' }; }, 'no NetworkPolicy targets the pods'],
    ['the policy is in another namespace', (o) => { find(o, 'NetworkPolicy').metadata.namespace = 'other'; }, 'no NetworkPolicy targets the pods'],
  ],
  'kube-score pod-probes': [
    ['liveness and readiness are the same HTTP GET', (o) => { container(o).livenessProbe = { httpGet: { path: '/health', port: 'http' } }; }, 'container web has the same liveness and readiness probe'],
    ['liveness and readiness open the same TCP port', (o) => { container(o).readinessProbe = { tcpSocket: { port: 'http' } }; }, 'container web has the same liveness and readiness probe'],
    ['liveness and readiness run the same command', (o) => { container(o).livenessProbe = { exec: { command: ['ok'] } }; container(o).readinessProbe = { exec: { command: ['ok'] } }; }, 'container web has the same liveness and readiness probe'],
    ['pods behind a Service have no readiness probe', (o) => { delete container(o).readinessProbe; }, 'the pods are behind a Service but no container has a readinessProbe'],
  ],
  'kube-score container-security-context-user-group-id': [
    ['the user ID is below 10000', (o) => { pod(o).securityContext.runAsUser = 1000; }, 'container web runs with a low user ID (1000)'],
    ['the group ID is below 10000', (o) => { pod(o).securityContext.runAsGroup = 9999; }, 'container web runs with a low group ID (9999)'],
    ['the container overrides the pod with a low ID', (o) => { container(o).securityContext = { runAsUser: 1000, runAsGroup: 1000 }; }, 'container web runs with a low user ID (1000) and group ID (1000)'],
    ['no group ID is set', (o) => { delete pod(o).securityContext.runAsGroup; }, 'container web runs with a low group ID (undefined)'],
    ['there is no security context', (o) => { delete pod(o).securityContext; }, 'container web has no security context'],
  ],
  'kube-score container-ephemeral-storage-request-and-limit': [
    ['there is no limit', (o) => { delete container(o).resources.limits; }, 'container web has no ephemeral-storage limit'],
    ['there is no request', (o) => { delete container(o).resources.requests; }, 'container web has no ephemeral-storage request'],
    ['the request differs from the limit', (o) => { container(o).resources.requests['ephemeral-storage'] = '512Mi'; }, 'container web requests 512Mi of ephemeral storage but is limited to 1024Mi'],
    ['an init container has none', (o) => { pod(o).initContainers = [{ ...container(o), name: 'init', resources: {} }]; }, 'container init has no ephemeral-storage limit'],
  ],
  'kube-score container-image-tag': [
    ['the tag is latest', (o) => { container(o).image = 'web:latest'; }, 'container web uses image "web:latest", a mutable tag'],
    ['there is no tag', (o) => { container(o).image = 'web'; }, 'container web uses image "web", a mutable tag'],
  ],
  'kube-score container-image-pull-policy': [
    ['the policy is IfNotPresent', (o) => { container(o).imagePullPolicy = 'IfNotPresent'; }, 'container web has imagePullPolicy "IfNotPresent", not Always'],
    ['the policy is Never', (o) => { container(o).imagePullPolicy = 'Never'; }, 'container web has imagePullPolicy "Never", not Always'],
    ['the policy is unset with a fixed tag (it defaults to IfNotPresent)', (o) => { delete container(o).imagePullPolicy; }, 'container web has imagePullPolicy "unset", not Always'],
  ],
  'kube-score service-type': [
    ['the Service is a NodePort', (o) => { find(o, 'Service').spec.type = 'NodePort'; }, 'the Service is of type NodePort'],
  ],
  'kube-linter latest-tag': [
    ['the tag is latest', (o) => { container(o).image = 'registry.example.com/web:latest'; }, 'container web uses image "registry.example.com/web:latest", which is latest or untagged'],
    ['there is no tag', (o) => { container(o).image = 'web'; }, 'container web uses image "web", which is latest or untagged'],
    ['a registry port is there but no tag', (o) => { container(o).image = 'registry:5000/web'; }, 'container web uses image "registry:5000/web", which is latest or untagged'],
  ],
  'kube-linter pdb-unhealthy-pod-eviction-policy': [
    ['the budget does not set it', (o) => { delete find(o, 'PodDisruptionBudget').spec.unhealthyPodEvictionPolicy; }, 'unhealthyPodEvictionPolicy is not set'],
  ],
  'kube-linter no-anti-affinity': [
    ['2 replicas and no affinity', (o) => { delete pod(o).affinity; }, '2 replicas but no pod anti-affinity'],
    ['anti-affinity without terms', (o) => { pod(o).affinity.podAntiAffinity = {}; }, '2 replicas but no preferred or required pod anti-affinity'],
    ['the topology key is the zone', (o) => { pod(o).affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey = 'topology.kubernetes.io/zone'; }, 'the anti-affinity\'s topology key "topology.kubernetes.io/zone" is not kubernetes.io/hostname'],
    ['the selector does not match the pods', (o) => { pod(o).affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchLabels = { app: 'other' }; }, 'the anti-affinity\'s label selector does not match the pods\' labels'],
    ['the namespaces leave out the pods\' own', (o) => { pod(o).affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.namespaces = ['other']; }, 'the pod\'s namespace "shop" is not among the anti-affinity\'s namespaces'],
    ['an autoscaler owns 3 or more replicas', (o) => {
      delete deployment(o).spec.replicas;
      delete pod(o).affinity;
      o.push({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'shop' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 3, maxReplicas: 5 } });
    }, '3 replicas but no pod anti-affinity'],
  ],
  'kube-linter non-existent-service-account': [
    ['the pods run as a ServiceAccount not among the objects', (o) => { pod(o).serviceAccountName = 'web'; }, 'serviceAccount "web" not found'],
    ['the ServiceAccount is in another namespace', (o) => { pod(o).serviceAccountName = 'web'; o.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'other' } }); }, 'serviceAccount "web" not found'],
    ['the deprecated serviceAccount field names a missing one', (o) => { pod(o).serviceAccount = 'web'; }, 'serviceAccount "web" not found'],
  ],
};

describe.each(Object.keys(CASES))('%s fails when', (name) => {
  test.each(CASES[name])('%s', (_what, breakIt, message) => {
    const o = clean();
    breakIt(o);
    const findings = checkLint(o);
    // The two tools' tag checks are twins: a latest tag breaks both.
    const twins = ['kube-score container-image-tag', 'kube-linter latest-tag'];
    expect(checks(findings).filter((c) => c !== name && !(twins.includes(name) && twins.includes(c)))).toEqual([]);
    const mine = findings.filter((f) => `${f.tool} ${f.check}` === name);
    expect(mine).toHaveLength(1);
    expect(mine[0].message).toContain(`${name}: ${message}`);
  });
});

describe('annotations', () => {
  test('a single replica, or one the autoscaler leaves unset without an autoscaler, needs no anti-affinity (kube-linter reads unset as 1)', () => {
    const o = clean();
    delete pod(o).affinity;
    deployment(o).spec.replicas = 1;
    expect(checkLint(o)).toEqual([]);
    delete deployment(o).spec.replicas;
    expect(checkLint(o)).toEqual([]);
  });

  test('kube-score/ignore on the object or on the pod template silences the checks it lists; * silences all', () => {
    const broken = () => {
      const o = clean();
      container(o).image = 'web:latest';
      container(o).imagePullPolicy = 'IfNotPresent';
      return o;
    };
    expect(checks(checkLint(broken()))).toEqual(['kube-score container-image-tag', 'kube-score container-image-pull-policy', 'kube-linter latest-tag']);
    let o = broken();
    deployment(o).metadata.annotations = { 'kube-score/ignore': 'container-image-tag, container-image-pull-policy' };
    expect(checks(checkLint(o))).toEqual(['kube-linter latest-tag']);
    o = broken();
    deployment(o).spec.template.metadata.annotations = { 'kube-score/ignore': 'container-image-pull-policy' };
    expect(checks(checkLint(o))).toEqual(['kube-score container-image-tag', 'kube-linter latest-tag']);
    o = broken();
    deployment(o).metadata.annotations = { 'kube-score/ignore': '*' };
    expect(checks(checkLint(o))).toEqual(['kube-linter latest-tag']);
  });

  test('container-resources in kube-score/ignore also silences the ephemeral-storage check, as in kube-score', () => {
    const o = clean();
    delete container(o).resources;
    expect(checks(checkLint(o))).toEqual(['kube-score container-ephemeral-storage-request-and-limit']);
    deployment(o).metadata.annotations = { 'kube-score/ignore': 'container-resources' };
    expect(checkLint(o)).toEqual([]);
  });

  test('the kube-score annotation of a pod template does not silence a Service check', () => {
    const o = clean();
    find(o, 'Service').spec.type = 'NodePort';
    deployment(o).metadata.annotations = { 'kube-score/ignore': 'service-type' };
    expect(checks(checkLint(o))).toEqual(['kube-score service-type']);
    find(o, 'Service').metadata.annotations = { 'kube-score/ignore': 'service-type' };
    expect(checkLint(o)).toEqual([]);
  });

  test('ignore-check.kube-linter.io/<check> silences the check only with a reason; kube-linter.io/ignore-all too', () => {
    const o = clean();
    delete find(o, 'PodDisruptionBudget').spec.unhealthyPodEvictionPolicy;
    const pdb = find(o, 'PodDisruptionBudget');
    pdb.metadata.annotations = { 'ignore-check.kube-linter.io/pdb-unhealthy-pod-eviction-policy': ' ' };
    const [finding] = checkLint(o);
    expect(finding.message).toContain('(the ignore annotation has no reason, so it does not count)');
    expect(exceptionsWithoutReason(o)).toEqual([{ object: 'PodDisruptionBudget shop/web', field: 'metadata.annotations.ignore-check.kube-linter.io/pdb-unhealthy-pod-eviction-policy', message: 'ignore-check.kube-linter.io/pdb-unhealthy-pod-eviction-policy has no reason' }]);
    pdb.metadata.annotations = { 'ignore-check.kube-linter.io/pdb-unhealthy-pod-eviction-policy': 'the pods must stay through drains' };
    expect(checkLint(o)).toEqual([]);
    pdb.metadata.annotations = { 'kube-linter.io/ignore-all': 'a test budget' };
    expect(checkLint(o)).toEqual([]);
  });

  test('a warning names the check and the annotation that would silence it', () => {
    const o = clean();
    find(o, 'Service').spec.type = 'NodePort';
    delete find(o, 'PodDisruptionBudget').spec.unhealthyPodEvictionPolicy;
    expect(formatLintWarnings(checkLint(o))).toBe([
      '  - Service shop/web spec.type: kube-score service-type: the Service is of type NodePort (if deliberate, annotate the object with kube-score/ignore: service-type)',
      '  - PodDisruptionBudget shop/web spec.unhealthyPodEvictionPolicy: kube-linter pdb-unhealthy-pod-eviction-policy: unhealthyPodEvictionPolicy is not set (AlwaysAllow lets a drain evict pods that are not ready) (if deliberate, annotate the object with ignore-check.kube-linter.io/pdb-unhealthy-pod-eviction-policy: "<reason>")',
    ].join('\n'));
  });

  test('a check in kube-score/ignore needs a reason beside it (kube-score.todo-cdk8s/<check>)', () => {
    const o = clean();
    find(o, 'Service').metadata.annotations = { 'kube-score/ignore': 'service-type,container-image-tag', 'kube-score.todo-cdk8s/service-type': 'Minikube has no load balancer' };
    expect(exceptionsWithoutReason(o)).toEqual([{ object: 'Service shop/web', field: 'metadata.annotations.kube-score.todo-cdk8s/container-image-tag', message: 'kube-score/ignore lists container-image-tag without a reason' }]);
  });
});

test('image tags are read as the tools read them', () => {
  expect(['web', 'web:1', 'r:5000/web', 'r:5000/web:2', 'web:latest'].map(kubeScoreTag)).toEqual(['', '1', '5000/web', '2', 'latest']);
  expect(['web', 'web:1', 'r:5000/web', 'r:5000/web:2', 'web:latest', 'r.io/web@sha256:abc'].map(kubeLinterLatestTag)).toEqual([true, false, true, false, true, false]);
});

/** Checks that find something, each as `tool check`. */
const found = (o: any[]) => checks(checkLint(o));

describe('each rule passes when', () => {
  type Pass = [string, (o: any[]) => void];
  test.each<Pass>([
    ['the pods run as a ServiceAccount of their namespace among the objects', (o) => { pod(o).serviceAccountName = 'web'; o.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'shop' } }); }],
    ['the pods run as default, which always exists', (o) => { pod(o).serviceAccountName = 'default'; }],
    ['a policy selects the pods by one of several labels (kube-score needs one match)', (o) => { find(o, 'NetworkPolicy').spec.podSelector.matchLabels = { 'app.kubernetes.io/name': 'web', other: 'x' }; }],
    ['Ingress and Egress come from two policies', (o) => {
      find(o, 'NetworkPolicy').spec.policyTypes = ['Ingress'];
      o.push({ ...find(o, 'NetworkPolicy'), metadata: { name: 'egress', namespace: 'shop' }, spec: { podSelector: { matchLabels: LABELS }, policyTypes: ['Egress'] } });
    }],
    ['pods and policy both have no namespace (both are in default)', (o) => { delete deployment(o).metadata.namespace; delete find(o, 'NetworkPolicy').metadata.namespace; delete find(o, 'Service').metadata.namespace; }],
    ['the pods are in default by name and the policy by omission', (o) => { deployment(o).metadata.namespace = 'default'; find(o, 'Service').metadata.namespace = 'default'; delete find(o, 'NetworkPolicy').metadata.namespace; }],
    ['liveness and readiness GET another path of the same port', (o) => { container(o).livenessProbe = { httpGet: { path: '/live', port: 'http' } }; }],
    ['liveness and readiness GET the same path of another port', (o) => { container(o).livenessProbe = { httpGet: { path: '/health', port: 8081 } }; container(o).readinessProbe = { httpGet: { path: '/health', port: 8080 } }; }],
    ['liveness and readiness open other TCP ports', (o) => { container(o).livenessProbe = { tcpSocket: { port: 8081 } }; container(o).readinessProbe = { tcpSocket: { port: 8080 } }; }],
    ['liveness and readiness run other commands', (o) => { container(o).livenessProbe = { exec: { command: ['live'] } }; container(o).readinessProbe = { exec: { command: ['ready'] } }; }],
    ['liveness is a command and readiness a TCP port', (o) => { container(o).livenessProbe = { exec: { command: ['live'] } }; container(o).readinessProbe = { tcpSocket: { port: 'http' } }; }],
    ['only the liveness probe is there, and no Service selects the pods', (o) => { delete container(o).readinessProbe; find(o, 'Service').spec.selector = { ...LABELS, tier: 'other' }; }],
    ['no readiness probe, and the only Service selecting such labels is in another namespace', (o) => { delete container(o).readinessProbe; find(o, 'Service').metadata.namespace = 'other'; }],
    ['a sidecar has the readiness probe', (o) => { pod(o).containers.push({ ...container(o), name: 'side', livenessProbe: undefined }); delete container(o).readinessProbe; }],
    ['a Job\'s pods have the same liveness and readiness probe (kube-score skips Jobs)', (o) => {
      o.push({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once', namespace: 'shop' }, spec: { template: JSON.parse(JSON.stringify(deployment(o).spec.template)) } });
      const c = o[o.length - 1].spec.template.spec.containers[0];
      c.livenessProbe = c.readinessProbe;
    }],
    ['the pod has no security context but the container has high IDs', (o) => { delete pod(o).securityContext; container(o).securityContext = { runAsUser: 10001, runAsGroup: 10001 }; }],
    ['the container\'s high IDs override the pod\'s low ones', (o) => { pod(o).securityContext = { runAsUser: 1, runAsGroup: 1 }; container(o).securityContext = { runAsUser: 20000, runAsGroup: 20000 }; }],
    ['the IDs are exactly 10000', (o) => { pod(o).securityContext = { runAsUser: 10000, runAsGroup: 10000 }; }],
    ['an unset pull policy with the latest tag (it defaults to Always): only the tag checks find it', (o) => { delete container(o).imagePullPolicy; container(o).image = 'web:latest'; }],
    ['an unset pull policy with no tag: only the tag checks find it', (o) => { delete container(o).imagePullPolicy; container(o).image = 'web'; }],
    ['a NodePort type outside a Service', (o) => { find(o, 'NetworkPolicy').spec.type = 'NodePort'; }],
    ['the anti-affinity is required instead of preferred', (o) => {
      const anti = pod(o).affinity.podAntiAffinity;
      anti.requiredDuringSchedulingIgnoredDuringExecution = [anti.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm];
      delete anti.preferredDuringSchedulingIgnoredDuringExecution;
    }],
    ['the anti-affinity names the pods\' own namespace', (o) => { pod(o).affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.namespaces = ['other', 'shop']; }],
    ['one of two anti-affinity terms is right', (o) => {
      const preferred = pod(o).affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
      preferred.unshift({ weight: 1, podAffinityTerm: { topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: LABELS } } });
    }],
    ['a DaemonSet without anti-affinity (not replicated)', (o) => { delete pod(o).affinity; deployment(o).kind = 'DaemonSet'; }],
    ['an autoscaler without minReplicas (1)', (o) => { delete deployment(o).spec.replicas; delete pod(o).affinity; o.push(hpa({ minReplicas: undefined })); }],
    ['the autoscaler of 3 is in another namespace', (o) => { delete deployment(o).spec.replicas; delete pod(o).affinity; o.push(hpa({ namespace: 'other' })); }],
    ['the autoscaler of 3 scales another Deployment', (o) => { delete deployment(o).spec.replicas; delete pod(o).affinity; o.push(hpa({ name: 'api' })); }],
    ['the autoscaler of 3 scales a StatefulSet of that name', (o) => { delete deployment(o).spec.replicas; delete pod(o).affinity; o.push(hpa({ kind: 'StatefulSet' })); }],
    ['replicas set to 1 beside an autoscaler of 3 (replicas wins)', (o) => { deployment(o).spec.replicas = 1; delete pod(o).affinity; o.push(hpa({})); }],
  ])('%s', (_what, change) => {
    const o = clean();
    change(o);
    expect(found(o).filter((c) => !['kube-score container-image-tag', 'kube-linter latest-tag'].includes(c) || !/latest|^web$/.test(container(o).image))).toEqual([]);
  });
});

/** An autoscaler of the Deployment web in shop, minReplicas 3, with changes. */
function hpa(change: { namespace?: string; name?: string; kind?: string; minReplicas?: number }): any {
  return {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: change.namespace ?? 'shop' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: change.kind ?? 'Deployment', name: change.name ?? 'web' }, ...('minReplicas' in change ? {} : { minReplicas: 3 }), maxReplicas: 5 },
  };
}

describe('more ways each rule fails', () => {
  type Fail = [string, (o: any[]) => void, string, string, string];
  test.each<Fail>([
    ['the policy sets no policy types', (o) => { delete find(o, 'NetworkPolicy').spec.policyTypes; }, 'kube-score pod-networkpolicy', 'spec.template.spec', 'no NetworkPolicy targets the pods'],
    ['the policy is in default and the pods in shop', (o) => { delete find(o, 'NetworkPolicy').metadata.namespace; }, 'kube-score pod-networkpolicy', 'spec.template.spec', 'no NetworkPolicy targets the pods'],
    ['the same GET with the port as a number and as a string', (o) => { container(o).livenessProbe = { httpGet: { path: '/health', port: 8080 } }; container(o).readinessProbe = { httpGet: { path: '/health', port: '8080' } }; }, 'kube-score pod-probes', 'spec.template.spec', 'container web has the same liveness and readiness probe: a failing dependency restarts the pod instead of only taking it out of the Service'],
    ['the same command, one given as an empty list', (o) => { container(o).livenessProbe = { exec: { command: [] } }; container(o).readinessProbe = { exec: {} }; }, 'kube-score pod-probes', 'spec.template.spec', 'container web has the same liveness and readiness probe: a failing dependency restarts the pod instead of only taking it out of the Service'],
    ['a service account and no readiness probe (kube-score counts it as targeted)', (o) => { delete container(o).readinessProbe; find(o, 'Service').spec.selector = { app: 'other' }; pod(o).serviceAccountName = 'default'; }, 'kube-score pod-probes', 'spec.template.spec', 'the pods are behind a Service but no container has a readinessProbe'],
    ['the pod context has low IDs and the container context none of its own', (o) => { container(o).securityContext = { readOnlyRootFilesystem: true }; pod(o).securityContext.runAsGroup = 5; }, 'kube-score container-security-context-user-group-id', 'spec.template.spec.securityContext.runAsGroup', 'container web runs with a low group ID (5); 10000 or more avoids colliding with a host\'s users'],
    ['the IDs are strings', (o) => { pod(o).securityContext = { runAsUser: '10001', runAsGroup: '10001' }; }, 'kube-score container-security-context-user-group-id', 'spec.template.spec.securityContext.runAsUser,runAsGroup', 'container web runs with a low user ID ("10001") and group ID ("10001"); 10000 or more avoids colliding with a host\'s users'],
    ['there is no security context at all', (o) => { delete pod(o).securityContext; }, 'kube-score container-security-context-user-group-id', 'spec.template.spec.containers[web].securityContext', 'container web has no security context'],
    ['the limit is zero', (o) => { container(o).resources.limits['ephemeral-storage'] = '0'; }, 'kube-score container-ephemeral-storage-request-and-limit', 'spec.template.spec.containers[web].resources', 'container web has no ephemeral-storage limit'],
    ['the request is zero', (o) => { container(o).resources.requests['ephemeral-storage'] = 0; }, 'kube-score container-ephemeral-storage-request-and-limit', 'spec.template.spec.containers[web].resources', 'container web has no ephemeral-storage request'],
    ['the limit is null', (o) => { container(o).resources.limits['ephemeral-storage'] = null; }, 'kube-score container-ephemeral-storage-request-and-limit', 'spec.template.spec.containers[web].resources', 'container web has no ephemeral-storage limit'],
    ['the pull policy is unset with a fixed tag', (o) => { delete container(o).imagePullPolicy; }, 'kube-score container-image-pull-policy', 'spec.template.spec.containers[web].imagePullPolicy', 'container web has imagePullPolicy "unset", not Always'],
    ['the budget has no spec', (o) => { delete find(o, 'PodDisruptionBudget').spec; }, 'kube-linter pdb-unhealthy-pod-eviction-policy', 'spec.unhealthyPodEvictionPolicy', 'unhealthyPodEvictionPolicy is not set (AlwaysAllow lets a drain evict pods that are not ready)'],
    ['a preferred term has no podAffinityTerm', (o) => { pod(o).affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0] = { weight: 100 }; }, 'kube-linter no-anti-affinity', 'spec.template.spec.affinity.podAntiAffinity', 'an empty anti-affinity term'],
    ['two terms, both wrong: both problems', (o) => {
      const anti = pod(o).affinity.podAntiAffinity;
      anti.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey = 'zone';
      anti.requiredDuringSchedulingIgnoredDuringExecution = [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'other' } } }];
    }, 'kube-linter no-anti-affinity', 'spec.template.spec.affinity.podAntiAffinity', 'the anti-affinity\'s topology key "zone" is not kubernetes.io/hostname; the anti-affinity\'s label selector does not match the pods\' labels'],
    ['a required term without a selector', (o) => { pod(o).affinity.podAntiAffinity = { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname' }] }; }, 'kube-linter no-anti-affinity', 'spec.template.spec.affinity.podAntiAffinity', 'the anti-affinity\'s label selector does not match the pods\' labels'],
    ['a StatefulSet of 3 without anti-affinity', (o) => { delete pod(o).affinity; deployment(o).spec.replicas = 3; deployment(o).kind = 'StatefulSet'; }, 'kube-linter no-anti-affinity', 'spec.template.spec.affinity.podAntiAffinity', '3 replicas but no pod anti-affinity'],
  ])('%s', (_what, change, name, field, message) => {
    const o = clean();
    change(o);
    const findings = checkLint(o);
    expect(checks(findings)).toEqual([name]);
    expect(findings[0].field).toBe(field);
    expect(findings[0].message).toBe(`${name}: ${message}`);
  });
});

describe('the pods of a CronJob and a bare Pod', () => {
  /** A CronJob whose pods are the Deployment's (so they pass every rule). */
  const cronJob = (o: any[]) => ({
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'shop' },
    spec: { schedule: '@daily', jobTemplate: { spec: { template: JSON.parse(JSON.stringify(deployment(o).spec.template)) } } },
  });

  test('a clean CronJob passes; its pods are scored where they are, and its pod template\'s kube-score/ignore counts', () => {
    const o = clean();
    o.push(cronJob(o));
    expect(checkLint(o)).toEqual([]);
    const job = o[o.length - 1];
    const c = job.spec.jobTemplate.spec.template.spec.containers[0];
    c.image = 'web:latest';
    c.livenessProbe = c.readinessProbe; // kube-score does not probe CronJobs
    delete c.resources;
    job.spec.jobTemplate.spec.template.metadata.labels = { app: 'batch' };
    const findings = checkLint(o);
    expect(findings.map((f) => [f.object, f.field, f.message])).toEqual([
      ['CronJob shop/nightly', 'spec.jobTemplate.spec.template.spec', 'kube-score pod-networkpolicy: no NetworkPolicy targets the pods'],
      ['CronJob shop/nightly', 'spec.jobTemplate.spec.template.spec.containers[web].resources', 'kube-score container-ephemeral-storage-request-and-limit: container web has no ephemeral-storage limit'],
      ['CronJob shop/nightly', 'spec.jobTemplate.spec.template.spec.containers[web].image', 'kube-score container-image-tag: container web uses image "web:latest", a mutable tag'],
      ['CronJob shop/nightly', 'spec.jobTemplate.spec.template.spec.containers[web].image', 'kube-linter latest-tag: container web uses image "web:latest", which is latest or untagged'],
    ]);
    job.spec.jobTemplate.spec.template.metadata.annotations = { 'kube-score/ignore': 'pod-networkpolicy,container-image-tag' };
    // The Deployment's template annotation is not the CronJob's.
    deployment(o).spec.template.metadata.annotations = { 'kube-score/ignore': 'container-ephemeral-storage-request-and-limit' };
    expect(found(o)).toEqual(['kube-score container-ephemeral-storage-request-and-limit', 'kube-linter latest-tag']);
  });

  test('a CronJob without a job template is scored as pods without containers', () => {
    const o = clean();
    o.push({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'empty', namespace: 'shop' }, spec: {} });
    expect(checkLint(o).map((f) => [f.object, f.field, f.message])).toEqual([
      ['CronJob shop/empty', 'spec.jobTemplate.spec.template.spec', 'kube-score pod-networkpolicy: no NetworkPolicy targets the pods'],
    ]);
  });

  test('a bare Pod is scored by its own labels and annotations, not by a template\'s', () => {
    const o = clean();
    const spec = JSON.parse(JSON.stringify(pod(o)));
    spec.containers[0].image = 'web:latest';
    o.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'shop', labels: LABELS }, spec: { ...spec, template: { metadata: { annotations: { 'kube-score/ignore': '*' } } } } });
    expect(checkLint(o).map((f) => `${f.object} ${f.field} ${f.check}`)).toEqual([
      'Pod shop/debug spec.containers[web].image container-image-tag',
      'Pod shop/debug spec.containers[web].image latest-tag',
    ]);
    o[o.length - 1].metadata.annotations = { 'kube-score/ignore': 'container-image-tag', 'ignore-check.kube-linter.io/latest-tag': 'a debug pod' };
    expect(checkLint(o)).toEqual([]);
  });
});

describe('annotations, more', () => {
  test('a kube-linter annotation for another check does not silence this one; an empty ignore-all does not either', () => {
    const o = clean();
    const pdb = find(o, 'PodDisruptionBudget');
    delete pdb.spec.unhealthyPodEvictionPolicy;
    pdb.metadata.annotations = { 'ignore-check.kube-linter.io/no-anti-affinity': 'not this one' };
    expect(checkLint(o).map((f) => f.message)).toEqual(['kube-linter pdb-unhealthy-pod-eviction-policy: unhealthyPodEvictionPolicy is not set (AlwaysAllow lets a drain evict pods that are not ready)']);
    pdb.metadata.annotations = { 'kube-linter.io/ignore-all': '' };
    expect(checkLint(o).map((f) => f.message)).toEqual(['kube-linter pdb-unhealthy-pod-eviction-policy: unhealthyPodEvictionPolicy is not set (AlwaysAllow lets a drain evict pods that are not ready) (the ignore annotation has no reason, so it does not count)']);
    // One reason among the two annotations is enough.
    pdb.metadata.annotations = { 'kube-linter.io/ignore-all': '', 'ignore-check.kube-linter.io/pdb-unhealthy-pod-eviction-policy': 'drains' };
    expect(checkLint(o)).toEqual([]);
  });

  test('kube-score/ignore names whole checks: another check, or a check it only begins with, silences nothing', () => {
    const o = clean();
    find(o, 'Service').spec.type = 'NodePort';
    for (const value of ['service', 'service-type-x', 'pod-probes', 'container-resources', '']) {
      find(o, 'Service').metadata.annotations = { 'kube-score/ignore': value };
      expect(found(o)).toEqual(['kube-score service-type']);
    }
  });

  test('checkLint runs only the rules it is given', () => {
    const o = clean();
    find(o, 'Service').spec.type = 'NodePort';
    delete find(o, 'PodDisruptionBudget').spec.unhealthyPodEvictionPolicy;
    expect(checks(checkLint(o, LINT_RULES.filter((r) => r.tool === 'kube-linter')))).toEqual(['kube-linter pdb-unhealthy-pod-eviction-policy']);
    expect(checkLint(o, [])).toEqual([]);
  });

  test('findings carry the annotation that would silence them', () => {
    const o = clean();
    find(o, 'Service').spec.type = 'NodePort';
    delete find(o, 'PodDisruptionBudget').spec.unhealthyPodEvictionPolicy;
    expect(checkLint(o).map((f) => f.silence)).toEqual(['kube-score/ignore: service-type', 'ignore-check.kube-linter.io/pdb-unhealthy-pod-eviction-policy: "<reason>"']);
  });

  test('exceptionsWithoutReason: empty entries of the list are skipped, a blank reason counts as none, objects without annotations have none', () => {
    const o = clean();
    expect(exceptionsWithoutReason(o)).toEqual([]);
    find(o, 'Service').metadata.annotations = {
      'kube-score/ignore': ' service-type , ,container-image-tag,',
      'kube-score.todo-cdk8s/service-type': 'no load balancer',
      'kube-score.todo-cdk8s/container-image-tag': '  ',
      'kube-linter.io/ignore-all': ' ',
      'ignore-check.kube-linter.io/latest-tag': 'fine',
      'other/annotation': '',
    };
    expect(exceptionsWithoutReason(o)).toEqual([
      { object: 'Service shop/web', field: 'metadata.annotations.kube-score.todo-cdk8s/container-image-tag', message: 'kube-score/ignore lists container-image-tag without a reason' },
      { object: 'Service shop/web', field: 'metadata.annotations.kube-linter.io/ignore-all', message: 'kube-linter.io/ignore-all has no reason' },
    ]);
  });
});

test('tags the tools read differently', () => {
  expect(['web:latest-1', 'r/web', 'r/web:latest', 'web:'].map(kubeLinterLatestTag)).toEqual([false, true, true, false]);
  expect(['web:', 'a:b:c'].map(kubeScoreTag)).toEqual(['', 'c']);
});
