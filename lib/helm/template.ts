import { stringifyYaml } from '../yaml-text';

/**
 * A Helm template expression that replaces one field of a synthesized object.
 *
 * - `scalar`: the field's value becomes template text on the same line,
 *   unquoted, so an expression such as `{{ .Values.replicaCount | int }}`
 *   renders as an integer (cdk8s' YAML writer would quote it as a string).
 * - `block`: the field's value becomes a template that renders YAML under
 *   the key, such as `{{- toYaml .Values.resources | nindent 12 }}`; the
 *   template is given the indentation it must produce.
 * - `optional`: the whole `key: value` line is kept only when a condition holds.
 */
export type HelmExpr =
  | { readonly kind: 'scalar'; readonly template: string }
  | { readonly kind: 'block'; readonly template: (indent: number) => string[] }
  | { readonly kind: 'optional'; readonly condition: string; readonly template: string }
  | { readonly kind: 'optionalBlock'; readonly condition: string; readonly template: (indent: number) => string[] };

/** Constructors of {@link HelmExpr}. */
export const Helm = {
  /** Template text that renders a scalar (add `| quote` for strings, `| int` for integers). */
  scalar: (template: string): HelmExpr => ({ kind: 'scalar', template }),
  /** `{{- <expression> | nindent N }}`: YAML rendered under the key. */
  nindent: (expression: string): HelmExpr => ({ kind: 'block', template: (n) => [`${' '.repeat(n)}{{- ${expression} | nindent ${n} }}`] }),
  /** Lines of template, each indented by the key's indentation plus two. */
  lines: (lines: readonly string[]): HelmExpr => ({ kind: 'block', template: (n) => lines.map((l) => `${' '.repeat(n)}${l}`) }),
  /** A `key: template` line kept only when `condition` (a template pipeline) is true. */
  optional: (condition: string, template: string): HelmExpr => ({ kind: 'optional', condition, template }),
  /** A key with a block under it (see {@link Helm.lines}), kept only when `condition` is true. */
  optionalLines: (condition: string, lines: readonly string[]): HelmExpr => ({ kind: 'optionalBlock', condition, template: (n) => lines.map((l) => `${' '.repeat(n)}${l}`) }),
  /**
   * A value of the constructs (an object or a list, as the manifests hold it)
   * rendered under the key, with its own bindings: the template of a field is
   * the field's TypeScript value, never a retyped copy.
   */
  value: (value: unknown, bindings: readonly Binding[] = []): HelmExpr => ({ kind: 'block', template: (n) => renderLines(value, bindings, n) }),
  /**
   * Values of the constructs one after the other under the key (list items,
   * or fields), each kept always or only when its condition holds (with
   * another value otherwise).
   */
  parts: (parts: readonly BlockPart[]): HelmExpr => ({
    kind: 'block',
    template: (n) => parts.flatMap((p) => {
      const lines = (value: unknown) => (Array.isArray(value) && value.length === 0 ? [] : renderLines(value, p.bindings ?? [], n));
      const pad = ' '.repeat(n);
      const body = p.template === undefined ? lines(p.value) : p.template(n).map((l) => `${pad}${l}`);
      return p.when === undefined
        ? body
        : [`${pad}{{- if ${p.when} }}`, ...body, ...(p.otherwise === undefined ? [] : [`${pad}{{- else }}`, ...lines(p.otherwise)]), `${pad}{{- end }}`];
    }),
  }),
  /** {@link Helm.value}, kept only when `condition` is true. */
  optionalValue: (condition: string, value: unknown, bindings: readonly Binding[] = []): HelmExpr => ({ kind: 'optionalBlock', condition, template: (n) => renderLines(value, bindings, n) }),
};

/** One part of {@link Helm.parts}. */
export interface BlockPart {
  /** The value, as the manifests hold it. */
  readonly value?: unknown;
  /**
   * Instead of a value: template lines that render the part (values a user
   * gives as they are, such as `{{- toYaml .Values.extraVolumes | nindent <indent> }}`),
   * given the indentation of the block; each line is indented by it.
   */
  readonly template?: (indent: number) => readonly string[];
  /** Fields of the value bound to Helm expressions (paths inside the value). */
  readonly bindings?: readonly Binding[];
  /** A template pipeline: the part is kept only when it is true. */
  readonly when?: string;
  /** With `when`: the value rendered when it is false. */
  readonly otherwise?: unknown;
}

/**
 * A field of an object (dot-separated path, or its parts for keys that hold
 * dots, such as label keys; numbers index arrays) and its expression.
 */
export interface Binding {
  readonly path: string | readonly string[];
  readonly expr: HelmExpr;
}

/** Options of {@link renderTemplate}. */
export interface RenderOptions {
  /** A template pipeline; the object is rendered only when it is true. */
  readonly condition?: string;
  /** A comment on the first line. */
  readonly header?: string;
  /** Template lines before the object (checks that `fail`). */
  readonly prelude?: readonly string[];
}

const MARKER = (i: number) => `HELMBINDING${i}X`;
const MARKER_LINE = /^(\s*)(- )?([^\s#][^:]*): HELMBINDING(\d+)X$/;
const MARKER_ITEM = /^(\s*)- HELMBINDING(\d+)X$/;

/**
 * Renders a synthesized object as a Helm template: each bound field is
 * replaced by its expression, every other field stays as synthesized. A
 * bound path that does not exist is created.
 *
 * @throws Error when a path crosses a value that is not an object or array
 */
export function renderTemplate(obj: object, bindings: readonly Binding[], options: RenderOptions = {}): string {
  const body = [...(options.prelude ?? []), ...renderLines(obj, bindings, 0)].join('\n');
  const text = options.condition ? `{{- if ${options.condition} }}\n${body}\n{{- end }}` : body;
  return `${options.header ? `# ${options.header}\n` : ''}${text}\n`;
}

/** The lines of {@link renderTemplate} for a value (no header, condition or prelude), at the left margin. */
export function valueLines(obj: unknown, bindings: readonly Binding[]): string[] {
  return renderLines(obj, bindings, 0);
}

/** The lines of {@link renderTemplate} for a value, each indented by `indent` spaces (a block under a key). */
function renderLines(obj: unknown, bindings: readonly Binding[], indent: number): string[] {
  const copy = JSON.parse(JSON.stringify(obj));
  bindings.forEach((binding, i) => setPath(copy, binding.path, MARKER(i)));
  const yaml = stringifyYaml(copy);
  const out: string[] = [];
  const used = new Set<number>();
  for (const line of yaml.replace(/\n$/, '').split('\n').map((l) => `${' '.repeat(indent)}${l}`)) {
    const item = MARKER_ITEM.exec(line);
    if (item && bindings[Number(item[2])].expr.kind === 'scalar') {
      used.add(Number(item[2]));
      out.push(`${item[1]}- ${(bindings[Number(item[2])].expr as { template: string }).template}`);
      continue;
    }
    const m = MARKER_LINE.exec(line);
    if (!m) {
      if (/HELMBINDING\d+X/.test(line)) {
        throw new Error(`a Helm binding landed where it cannot be rendered: ${JSON.stringify(line)}`);
      }
      out.push(line);
      continue;
    }
    const [, lead, dash = '', key, index] = m;
    const expr = bindings[Number(index)].expr;
    used.add(Number(index));
    const column = lead.length + dash.length;
    switch (expr.kind) {
      case 'scalar':
        out.push(`${lead}${dash}${key}: ${expr.template}`);
        break;
      case 'block':
        out.push(`${lead}${dash}${key}:`, ...expr.template(column + 2));
        break;
      case 'optional':
      case 'optionalBlock':
        if (dash) {
          throw new Error(`optional field ${key} cannot be the first field of a list item`);
        }
        out.push(`${lead}{{- if ${expr.condition} }}`);
        if (expr.kind === 'optional') {
          out.push(`${lead}${key}: ${expr.template}`);
        } else {
          out.push(`${lead}${key}:`, ...expr.template(column + 2));
        }
        out.push(`${lead}{{- end }}`);
        break;
    }
  }
  if (used.size !== bindings.length) {
    throw new Error(`Helm bindings not rendered: ${bindings.filter((_, i) => !used.has(i)).map((b) => pathText(b.path)).join(', ')}`);
  }
  return out;
}

function pathText(path: Binding['path']): string {
  return typeof path === 'string' ? path : path.join('.');
}

function setPath(obj: any, path: Binding['path'], value: unknown): void {
  const parts = typeof path === 'string' ? path.split('.') : [...path];
  let node = obj;
  for (const part of parts.slice(0, -1)) {
    if (node[part] === undefined) {
      node[part] = {};
    }
    node = node[part];
    if (node === null || typeof node !== 'object') {
      throw new Error(`cannot bind ${pathText(path)}: ${part} is not an object`);
    }
  }
  node[parts[parts.length - 1]] = value;
}
