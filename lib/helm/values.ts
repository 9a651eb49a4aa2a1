import { stringifyYaml } from '../yaml-text';
import { JsonSchema } from '../validation';

/**
 * A chart's values as one tree: each leaf has its default (read from the
 * construct), a comment and a JSON Schema (the rule the construct's props
 * are checked with). `values.yaml` and `values.schema.json` are both
 * rendered from it, so they cannot disagree with each other or with the props.
 */
export type ValuesNode = ValueLeaf | ValueGroup;

/** A value: default, comment and schema. */
export interface ValueLeaf {
  readonly kind: 'leaf';
  readonly comment: string;
  readonly value: unknown;
  readonly schema: JsonSchema;
}

/** A map of values with a comment. */
export interface ValueGroup {
  readonly kind: 'group';
  readonly comment: string;
  readonly children: { readonly [key: string]: ValuesNode };
  /** Extra schema keywords for the group (`if`/`then`, `required`). */
  readonly schema?: JsonSchema;
}

/** A value with its default, comment and schema. */
export function leaf(comment: string, value: unknown, schema: JsonSchema): ValueLeaf {
  return { kind: 'leaf', comment, value, schema };
}

/** A group of values. */
export function group(comment: string, children: { [key: string]: ValuesNode }, schema?: JsonSchema): ValueGroup {
  return { kind: 'group', comment, children, schema };
}

/** The default values as a plain object. */
export function defaultValues(node: ValuesNode): unknown {
  if (node.kind === 'leaf') {
    return node.value;
  }
  return Object.fromEntries(Object.entries(node.children).map(([k, v]) => [k, defaultValues(v)]));
}

/** `values.yaml`: every value with its comment above it. */
export function renderValuesYaml(root: ValueGroup, header: string): string {
  const lines: string[] = header.split('\n').map((l) => (l ? `# ${l}` : '#'));
  const walk = (node: ValueGroup, indent: string) => {
    for (const [key, child] of Object.entries(node.children)) {
      lines.push('');
      for (const c of child.comment.split('\n')) {
        lines.push(`${indent}# ${c}`.trimEnd());
      }
      if (child.kind === 'group') {
        lines.push(`${indent}${key}:`);
        walk(child, `${indent}  `);
      } else {
        const text = stringifyYaml({ [key]: child.value }).replace(/\n$/, '');
        lines.push(...text.split('\n').map((l) => `${indent}${l}`));
      }
    }
  };
  walk(root, '');
  return `${lines.join('\n')}\n`;
}

/** `values.schema.json`: a draft-07 schema; unknown keys are rejected at every level of the tree. */
export function renderValuesSchema(root: ValueGroup, title: string): JsonSchema {
  const toSchema = (node: ValuesNode): JsonSchema => {
    if (node.kind === 'leaf') {
      return { description: node.comment, ...node.schema };
    }
    return {
      description: node.comment,
      type: 'object',
      properties: Object.fromEntries(Object.entries(node.children).map(([k, v]) => [k, toSchema(v)])),
      additionalProperties: false,
      ...node.schema,
    };
  };
  const schema = toSchema(root);
  const properties = { ...(schema.properties as JsonSchema), global: { description: 'Values Helm shares with subcharts.', type: 'object' } };
  return { $schema: 'http://json-schema.org/draft-07/schema#', title, ...schema, properties };
}
