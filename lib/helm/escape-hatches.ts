import { ApiObject, JsonPatch } from 'cdk8s';
import { describe } from '../checks/semantic';
import { show } from '../validation';
import type { Binding, HelmExpr } from './template';

/**
 * The object as its component built it: `toJson()` without the JSON patches
 * added to it (`addJsonPatch`), so that a chart can tell the fields a user
 * patched. cdk8s keeps the patches in a list of the object (2.x); they are
 * set aside for the call and put back.
 *
 * @throws Error when the installed cdk8s keeps no such list (a version this
 *   code was not written for): a patch could then go unnoticed
 */
export function withoutPatches(obj: ApiObject): any {
  const patches = (obj as unknown as { patches?: JsonPatch[] }).patches;
  if (!Array.isArray(patches)) {
    throw new Error(`todo-cdk8s cannot read the JSON patches of ${obj.node.path} with this version of cdk8s (ApiObject keeps no list 'patches'); use the cdk8s version of the package's peerDependencies`);
  }
  if (patches.length === 0) {
    return obj.toJson();
  }
  const saved = patches.splice(0);
  try {
    return obj.toJson();
  } finally {
    patches.push(...saved);
  }
}

/** The value at a dotted path, or its parts (numbers index arrays); undefined where the path leads nowhere. */
export function valueAt(json: unknown, path: string | readonly string[]): unknown {
  let node: any = json;
  for (const part of typeof path === 'string' ? path.split('.') : path) {
    if (node === null || typeof node !== 'object') {
      return undefined;
    }
    node = node[part];
  }
  return node;
}

/** A dotted path as the checks name fields: `spec.containers[0].image`. */
export function fieldName(path: string): string {
  return path.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}

/** The paths (dotted) where two JSON values differ, outermost first; at most `limit`. */
export function differences(a: unknown, b: unknown, path = '', limit = 3): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) {
    return [];
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) {
    return [path];
  }
  const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])];
  const found: string[] = [];
  for (const k of keys) {
    found.push(...differences((a as any)[k], (b as any)[k], path ? `${path}.${k}` : k, limit));
    if (found.length >= limit) break;
  }
  return found.slice(0, limit);
}

/** The text of a binding's expression, for the values it reads. */
function exprText(expr: HelmExpr): string {
  switch (expr.kind) {
    case 'scalar':
      return expr.template;
    case 'optional':
      return `${expr.condition} ${expr.template}`;
    case 'block':
      return expr.template(0).join('\n');
    case 'optionalBlock':
      return `${expr.condition} ${expr.template(0).join('\n')}`;
  }
}

/**
 * What a binding renders its field from, for messages: the values it reads
 * (`'replicaCount'`, `'image.repository'`), or else the chart's helper.
 */
export function renderedFrom(binding: Binding): string {
  const text = exprText(binding.expr);
  const values = [...new Set([...text.matchAll(/\.Values\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g)].map((m) => m[1]))];
  if (values.length > 0) {
    return `the value${values.length > 1 ? 's' : ''} ${values.map((v) => `'${v}'`).join(', ')}`;
  }
  const helpers = [...new Set([...text.matchAll(/include "[^".]+\.([A-Za-z0-9_.]+)"/g)].map((m) => m[1]))];
  return helpers.length > 0 ? `the chart's ${helpers.join(', ')} (nameOverride, fullnameOverride, namespace, commonLabels and the release)` : 'the chart\'s template';
}

/** A value for a message: JSON, cut at 80 characters. */
export function shortShow(value: unknown): string {
  const text = show(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * The fields of `obj` that a JSON patch changed and that `bindings` replace
 * in the chart (unless `carried`: the chart's values read them from the
 * patched object), one line each: the object, the field, the patched value
 * and what the chart renders the field from instead.
 */
export function patchedBindings(obj: ApiObject, bindings: readonly Binding[], carried: ReadonlySet<string>): string[] {
  const built = withoutPatches(obj);
  const json = obj.toJson();
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const b of bindings) {
    const path = typeof b.path === 'string' ? b.path : b.path.join('.');
    // Bindings of one path (the pods' annotations: checksums, podAnnotations) render one field: reported once.
    if (carried.has(path) || seen.has(path)) continue;
    seen.add(path);
    const before = valueAt(built, b.path);
    const after = valueAt(json, b.path);
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      lines.push(`${describe(json)} ${fieldName(path)}: a JSON patch changed it to ${shortShow(after)}, but the Helm chart renders it from ${renderedFrom(b)}; set it through the component's props (the chart's default follows them) instead of a patch`);
    }
  }
  return lines;
}
