import { ApiObject, JsonPatch } from 'cdk8s';
import { describe } from '../checks/semantic';
import { show } from '../validation';
import type { Binding, HelmExpr } from './template';

/**
 * The JSON of the objects, while a chart renders ({@link whileRendering}):
 * each object's `toJson()`, with and without its JSON patches, is computed
 * once and shared by the chart's parts, values and checks (none of them
 * changes it). Undefined outside a rendering: every call synthesizes again,
 * so a change to an object between two renderings is seen.
 */
let rendering: Map<ApiObject, { json?: any; built?: any }> | undefined;

/**
 * Runs `render` with the objects' JSON computed once per object (see
 * {@link synthesized}, {@link withoutPatches}); the objects must not change
 * while it runs. A rendering inside another shares its JSON.
 */
export function whileRendering<T>(render: () => T): T {
  if (rendering !== undefined) {
    return render();
  }
  rendering = new Map();
  try {
    return render();
  } finally {
    rendering = undefined;
  }
}

/** What {@link whileRendering} keeps of an object; undefined outside a rendering. */
function renderedEntry(obj: ApiObject): { json?: any; built?: any } | undefined {
  if (rendering === undefined) {
    return undefined;
  }
  let entry = rendering.get(obj);
  if (entry === undefined) {
    entry = {};
    rendering.set(obj, entry);
  }
  return entry;
}

/**
 * The object as synthesized, JSON patches included: `toJson()`, computed
 * once per object while a chart renders. The result is shared: read it,
 * never change it.
 */
export function synthesized(obj: ApiObject): any {
  const entry = renderedEntry(obj);
  if (entry === undefined) {
    return obj.toJson();
  }
  if (entry.json === undefined) {
    entry.json = obj.toJson();
  }
  return entry.json;
}

/** The list of JSON patches cdk8s keeps on an object (2.x). */
function patchesOf(obj: ApiObject): JsonPatch[] {
  const patches = (obj as unknown as { patches?: JsonPatch[] }).patches;
  if (!Array.isArray(patches)) {
    throw new Error(`todo-cdk8s cannot read the JSON patches of ${obj.node.path} with this version of cdk8s (ApiObject keeps no list 'patches'); use the cdk8s version of the package's peerDependencies`);
  }
  return patches;
}

/**
 * Whether a JSON patch was added to the object (`addJsonPatch`): without
 * one, the object as built is the object as synthesized.
 *
 * @throws Error when the installed cdk8s keeps no list of patches (see {@link withoutPatches})
 */
export function hasPatches(obj: ApiObject): boolean {
  return patchesOf(obj).length > 0;
}

/**
 * The object as its component built it: `toJson()` without the JSON patches
 * added to it (`addJsonPatch`), so that a chart can tell the fields a user
 * patched. cdk8s keeps the patches in a list of the object (2.x); they are
 * set aside for the call and put back. Without patches, {@link synthesized}
 * (the same value, shared while a chart renders).
 *
 * @throws Error when the installed cdk8s keeps no such list (a version this
 *   code was not written for): a patch could then go unnoticed
 */
export function withoutPatches(obj: ApiObject): any {
  const patches = patchesOf(obj);
  if (patches.length === 0) {
    return synthesized(obj);
  }
  const entry = renderedEntry(obj);
  if (entry?.built !== undefined) {
    return entry.built;
  }
  const saved = patches.splice(0);
  let built: any;
  try {
    built = obj.toJson();
  } finally {
    patches.push(...saved);
  }
  if (entry !== undefined) {
    entry.built = built;
  }
  return built;
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
  if (!hasPatches(obj)) {
    return []; // built as synthesized: no field changed
  }
  const built = withoutPatches(obj);
  const json = synthesized(obj);
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
