import { Chart, Testing } from 'cdk8s';
import { runAllChecks } from '../../lib/checks';
import { TodoBackend } from '../../lib/todo-backend';
import { FeatureCharts, thrown } from '../support/feature-charts';
import { find, TEST_SECRETS } from '../support/util';

let charts: FeatureCharts;
beforeAll(() => {
  charts = new FeatureCharts();
});
afterAll(() => charts.cleanup());

const build = (imagePullSecrets?: readonly string[]) => {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'default' });
  const backend = new TodoBackend(chart, 'b', { imagePullSecrets, jwtSecret: TEST_SECRETS.jwtSecret });
  return { backend, objects: chart.toJson() };
};
const podOf = (objects: any[]) => find(objects, 'Deployment', 'todo-backend').spec.template.spec;

describe('imagePullSecrets', () => {
  test('props: none by default; given, the pods list them as {name}, and they are external references', () => {
    expect(podOf(build().objects).imagePullSecrets).toBeUndefined();
    const { backend, objects } = build(['regcred', 'mirror.creds']);
    expect(podOf(objects).imagePullSecrets).toEqual([{ name: 'regcred' }, { name: 'mirror.creds' }]);
    expect(backend.externalSecrets).toEqual(expect.arrayContaining(['regcred', 'mirror.creds']));
    // The reference checks find them missing unless they are named as external.
    expect(runAllChecks(objects).map((f) => f.field)).toEqual(['spec.template.spec.imagePullSecrets[0]', 'spec.template.spec.imagePullSecrets[1]']);
    expect(runAllChecks(objects, { externalSecrets: backend.externalSecrets })).toEqual([]);
  });

  test('values: the chart renders the same list where helm create renders it', () => {
    const { objects } = build(['regcred', 'mirror.creds']);
    const rendered = charts.render(charts.backend, { imagePullSecrets: [{ name: 'regcred' }, { name: 'mirror.creds' }] });
    expect(podOf(rendered).imagePullSecrets).toEqual(podOf(objects).imagePullSecrets);
    expect(podOf(charts.render(charts.backend, {})).imagePullSecrets).toBeUndefined();
    expect(runAllChecks(rendered, { externalSecrets: ['regcred', 'mirror.creds'] })).toEqual([]);
  });

  test('a name that is not a DNS-1123 subdomain is refused in both renderings with the same words', () => {
    const rule = 'must be a DNS-1123 subdomain: at most 253 characters of lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, got "Reg_Cred"';
    expect(thrown(() => build(['regcred', 'Reg_Cred']))).toBe(`'backend.imagePullSecrets[1]' ${rule}`);
    expect(charts.refusal(charts.backend, { imagePullSecrets: [{ name: 'regcred' }, { name: 'Reg_Cred' }] })).toBe(`'imagePullSecrets[1].name' ${rule}`);
    expect(charts.refusal(charts.frontend, { imagePullSecrets: [{ name: 'Reg_Cred' }] })).toBe(`'imagePullSecrets[0].name' ${rule}`);
  });

  test('the schema wants a list of {name}: a bare string or another key is refused', () => {
    expect(charts.refusal(charts.backend, { imagePullSecrets: ['regcred'] })).toMatch(/imagePullSecrets\.0: Invalid type. Expected: object, given: string/);
    expect(charts.refusal(charts.backend, { imagePullSecrets: [{ name: 'a', secret: 'b' }] })).toMatch(/Additional property secret is not allowed/);
    expect(thrown(() => build('regcred' as unknown as string[]))).toBe(`'backend.imagePullSecrets' must be a list of Secret names, got "regcred"`);
  });
});
