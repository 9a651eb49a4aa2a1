import * as fs from 'fs';
import * as path from 'path';

/**
 * scripts/trim-k8s.js: the packaged Kubernetes classes (`todo-cdk8s/k8s`)
 * are the declarations of imports/k8s.ts that the library uses, closed over
 * what they name. The consumer test installs and runs the trimmed package.
 */
const { subset, subsetText } = require('../scripts/trim-k8s.js');

const ROOT = path.join(__dirname, '..');
let result: { kept: Set<string>; roots: Set<string>; total: number; file: any };
beforeAll(() => {
  result = subset();
}, 120_000);

describe('trim-k8s', () => {
  test('keeps what the library uses: the classes its constructs expose, their props and how they render', () => {
    for (const name of ['KubeDeployment', 'KubeService', 'KubeConfigMap', 'KubeSecret', 'KubePersistentVolumeClaim', 'KubeNetworkPolicy', 'KubeIngress',
      'KubeHorizontalPodAutoscalerV2', 'KubePodDisruptionBudget', 'IntOrString', 'Quantity', 'NetworkPolicyEgressRule']) {
      expect(result.roots.has(name)).toBe(true);
    }
    for (const name of ['KubeDeploymentProps', 'toJson_KubeDeploymentProps', 'DeploymentSpec', 'PodTemplateSpec', 'ObjectMeta', 'EnvVar', 'SecretKeySelector']) {
      expect(result.kept.has(name)).toBe(true);
    }
    expect([...result.roots].filter((n) => !result.kept.has(n))).toEqual([]);
  });

  test('leaves out what nothing uses, about two thirds of the declarations', () => {
    for (const name of ['KubeJob', 'KubeCronJob', 'KubeStatefulSet', 'KubeMutatingWebhookConfiguration', 'KubeCustomResourceDefinition']) {
      expect(result.kept.has(name)).toBe(false);
    }
    expect(result.total).toBeGreaterThan(1000);
    expect(result.kept.size).toBeLessThan(result.total / 2);
  });

  test('the subset is closed: every declaration a kept one names is kept, and it starts with the generated file\'s imports', () => {
    const text: string = subsetText(result.file, result.kept);
    const source = fs.readFileSync(path.join(ROOT, 'imports', 'k8s.ts'), 'utf8');
    const declared = new Set([...source.matchAll(/^export (?:class|interface|function|enum|type) (\w+)/gm)].map((m) => m[1]));
    const inSubset = new Set([...text.matchAll(/^export (?:class|interface|function|enum|type) (\w+)/gm)].map((m) => m[1]));
    expect([...inSubset].sort()).toEqual([...result.kept].sort());
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const named = new Set([...code.matchAll(/\b\w+\b/g)].map((m) => m[0]).filter((w) => declared.has(w)));
    expect([...named].filter((n) => !inSubset.has(n))).toEqual([]);
    expect(text.startsWith(source.slice(0, source.indexOf('/**')))).toBe(true);
  });
});
