import { definitionFor, validateObject } from './support/k8s-schema';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'x' },
  spec: {
    selector: { matchLabels: { a: 'b' } },
    template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'x', image: 'x:1', ports: [{ containerPort: 80 }] }] } },
  },
});

describe('strict Kubernetes 1.28 schema validation (test support)', () => {
  test('a valid object passes', () => {
    expect(validateObject(deployment())).toEqual([]);
  });

  test('an unknown field fails', () => {
    const obj: any = deployment();
    obj.spec.template.spec.containers[0].imagePullPolicyy = 'Never';
    expect(validateObject(obj)).toEqual([expect.stringContaining('/spec/template/spec/containers/0 must NOT have additional properties ("imagePullPolicyy")')]);
  });

  test('an unknown top-level field fails', () => {
    expect(validateObject({ ...deployment(), status2: {} })).toEqual([expect.stringContaining('must NOT have additional properties ("status2")')]);
  });

  test('a quoted integer fails', () => {
    const obj: any = deployment();
    obj.spec.replicas = '1';
    expect(validateObject(obj)).toEqual([expect.stringContaining('/spec/replicas must be integer')]);
  });

  test('a missing required field fails', () => {
    const obj: any = deployment();
    delete obj.spec.template.spec.containers[0].name;
    expect(validateObject(obj)).toEqual([expect.stringContaining("must have required property 'name'")]);
  });

  test('a kind that Kubernetes 1.28 does not serve fails', () => {
    expect(validateObject({ apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'x' } })).toEqual([expect.stringContaining('no Kubernetes 1.28 schema')]);
    expect(definitionFor('policy/v1', 'PodDisruptionBudget')).toBe('io.k8s.api.policy.v1.PodDisruptionBudget');
  });

  test('int-or-string fields take both', () => {
    const svc = (targetPort: unknown) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort }] } });
    expect(validateObject(svc('http'))).toEqual([]);
    expect(validateObject(svc(8080))).toEqual([]);
    expect(validateObject(svc(true))).not.toEqual([]);
  });
});
