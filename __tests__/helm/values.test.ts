import Ajv from 'ajv';
import { Testing } from 'cdk8s';
import { componentValues } from '../../lib/helm/chart-values';
import { defaultValues, group, leaf, renderValuesSchema, renderValuesYaml } from '../../lib/helm/values';
import { TodoApp } from '../../lib/todo-app';
import { Rules } from '../../lib/validation';
import { parseYaml } from '../support/yaml';
import { TEST_SECRETS } from '../support/util';

const tree = group('', {
  replicaCount: leaf('Number of pods.', 1, Rules.replicas.schema),
  service: group('The Service.', { port: leaf('Port.\nSecond line.', 8000, Rules.port.schema) }),
  env: leaf('Env.', { A: '1' }, { type: 'object' }),
});

describe('values', () => {
  test('values.yaml: comments above each value, defaults as YAML', () => {
    const text = renderValuesYaml(tree, 'Header');
    expect(text).toBe('# Header\n\n# Number of pods.\nreplicaCount: 1\n\n# The Service.\nservice:\n\n  # Port.\n  # Second line.\n  port: 8000\n\n# Env.\nenv:\n  A: "1"\n');
    expect(parseYaml(text)[0]).toEqual(defaultValues(tree));
  });

  test('values.schema.json: the rules\' schemas, unknown keys rejected', () => {
    const schema = renderValuesSchema(tree, 'T');
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate({ replicaCount: 2, service: { port: 80 }, env: {} })).toBe(true);
    expect(validate({ replicaCount: -1 })).toBe(false);
    expect(validate({ service: { port: 0 } })).toBe(false);
    expect(validate({ replicas: 1 })).toBe(false);
    expect(validate({ global: {} })).toBe(true);
  });

  test('a component\'s defaults pass its own schema, and the schema agrees with the props\' rules', () => {
    const chart = Testing.chart();
    const todo = new TodoApp(chart, 'todo', { backend: { jwtSecret: TEST_SECRETS.jwtSecret } });
    for (const component of todo.components) {
      const values = componentValues(component);
      const validate = new Ajv({ strict: false }).compile(renderValuesSchema(values, 't'));
      const defaults = defaultValues(values) as any;
      expect([component.name, validate(defaults), validate.errors]).toEqual([component.name, true, null]);
      const withValue = (path: string[], value: unknown) => {
        const copy = JSON.parse(JSON.stringify(defaults));
        path.slice(0, -1).reduce((o, k) => o[k], copy)[path[path.length - 1]] = value;
        return validate(copy);
      };
      for (const [p, rule, samples] of [
        [['replicaCount'], Rules.replicas, [0, 3, -1, 1.5, '2']],
        [['service', 'port'], Rules.port, [1, 65535, 0, 65536]],
        [['service', 'nodePort'], Rules.nodePort, [30000, 32767, 29999, 80]],
        [['image', 'repository'], Rules.imageRepository, ['a/b', 'A', 'x:y']],
        [['probes', 'liveness', 'periodSeconds'], Rules.seconds, [1, 0, -5]],
      ] as Array<[string[], { test(v: unknown): boolean }, unknown[]]>) {
        for (const sample of samples) {
          expect([p.join('.'), sample, withValue(p, sample)]).toEqual([p.join('.'), sample, rule.test(sample)]);
        }
      }
    }
  });
});
