import * as fs from 'fs';
import { reservedLabelKeys } from '../../lib/features/common-labels';
import { Label, LABELS, ownedLabelKeys } from '../../lib/features/names';
import { OWNED_POD_ANNOTATIONS } from '../../lib/features/pod-metadata';
import { isOwnedKey } from '../../lib/shared-rules';
import { asValues, defaultFrontendChart, frontendWith, helmMessage, renderWith, thrown } from '../support/feature-chart';

let dir: string;
beforeAll(() => {
  dir = defaultFrontendChart();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const POD_LABELS = (key: string) => `'frontend.podLabels' must not hold a key the app sets (${ownedLabelKeys().map((k) => JSON.stringify(k)).join(', ')}), got ${JSON.stringify(key)}`;
const COMMON_LABELS = (key: string) => `'frontend.commonLabels' must not hold a label the app sets (${reservedLabelKeys().join(', ')}: names, selectors and versions come from the component), got ${JSON.stringify(key)}`;

/** Both renderings refuse `key` in podLabels and in commonLabels, with the same words. */
function expectRefused(chartDir: string, key: string): void {
  const pod = thrown(() => frontendWith({ podLabels: { [key]: 'x' } }));
  expect(pod).toBe(POD_LABELS(key));
  expect(helmMessage(renderWith(chartDir, { podLabels: { [key]: 'x' } }).stderr)).toBe(asValues(pod));
  const common = thrown(() => frontendWith({ commonLabels: { [key]: 'x' } }));
  expect(common).toBe(COMMON_LABELS(key));
  expect(helmMessage(renderWith(chartDir, { commonLabels: { [key]: 'x' } }).stderr)).toBe(asValues(common));
}

describe('the label keys the app owns come from the one table of labels', () => {
  test('the table gives app, the recommended app.kubernetes.io/* set (as a prefix) and helm.sh/chart; commonLabels adds the project\'s todo-cdk8s/*', () => {
    expect(ownedLabelKeys()).toEqual(['app', 'app.kubernetes.io/*', 'helm.sh/chart']);
    expect(reservedLabelKeys()).toEqual(['app', 'app.kubernetes.io/*', 'helm.sh/chart', 'todo-cdk8s/*']);
    // Every key of the table is owned, and a key of the recommended set the table does not hold too.
    expect(LABELS.map((l) => l.key).filter((k) => !isOwnedKey(ownedLabelKeys(), k))).toEqual([]);
    expect(isOwnedKey(ownedLabelKeys(), 'app.kubernetes.io/created-by')).toBe(true);
    expect(isOwnedKey(ownedLabelKeys(), 'example.com/app')).toBe(false);
    expect(isOwnedKey(ownedLabelKeys(), 'apps')).toBe(false);
    // The pods' annotations are another list, not the labels'.
    expect(OWNED_POD_ANNOTATIONS.filter((k) => isOwnedKey(ownedLabelKeys(), k))).toEqual([]);
  });

  test.each(LABELS.map((l) => [l.key]))('the table\'s key %s is refused in podLabels and commonLabels by the construct and by the chart, with the same words', (key) => {
    expectRefused(dir, key);
  });

  test('a label added to the table is refused in podLabels and commonLabels by both renderings, and both carry it', () => {
    const added: Label = { key: 'example.com/tier', manifest: () => 'web' };
    const before = frontendWith({ podLabels: { [added.key]: 'x' }, commonLabels: { [added.key]: 'x' } });
    expect(before.deployment.toJson().spec.template.metadata.labels[added.key]).toBe('x');
    (LABELS as Label[]).push(added);
    try {
      expect(ownedLabelKeys()).toEqual(['app', 'app.kubernetes.io/*', 'example.com/tier', 'helm.sh/chart']);
      const chart = defaultFrontendChart();
      try {
        expectRefused(chart, added.key);
        const rendered = renderWith(chart, {});
        expect(rendered.status).toBe(0);
        const deployment = rendered.objects.find((o) => o.kind === 'Deployment');
        expect(deployment.spec.template.metadata.labels[added.key]).toBe('web');
        expect(frontendWith().deployment.toJson().spec.template.metadata.labels[added.key]).toBe('web');
      } finally {
        fs.rmSync(chart, { recursive: true, force: true });
      }
    } finally {
      (LABELS as Label[]).splice(LABELS.indexOf(added), 1);
    }
    expect(ownedLabelKeys()).toEqual(['app', 'app.kubernetes.io/*', 'helm.sh/chart']);
  });
});
