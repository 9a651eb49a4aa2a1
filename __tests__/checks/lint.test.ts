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
