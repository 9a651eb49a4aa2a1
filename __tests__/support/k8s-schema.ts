import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';

/**
 * Strict validation of Kubernetes objects against the official 1.28 OpenAPI
 * schema (vendored in schemas/k8s/v1.28.0). "Strict" as kubeconform's
 * `-strict`: every object schema with declared properties rejects fields it
 * does not declare, unless it preserves unknown fields.
 */
const SCHEMA_FILE = path.join(__dirname, '..', '..', 'schemas', 'k8s', 'v1.28.0', '_definitions.json');
const GVK = 'x-kubernetes-group-version-kind';

type Schema = { [key: string]: any };

let ajv: Ajv | undefined;
const byGvk = new Map<string, string>();
const compiled = new Map<string, ValidateFunction>();

function strict(node: any): any {
  if (Array.isArray(node)) {
    return node.map(strict);
  }
  if (node === null || typeof node !== 'object') {
    return node;
  }
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, strict(s)])) : strict(v);
  }
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

function load(): Ajv {
  if (ajv) {
    return ajv;
  }
  const raw = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'));
  const definitions: Schema = {};
  for (const [name, def] of Object.entries<Schema>(raw.definitions)) {
    definitions[name] = strict(def);
    for (const gvk of def[GVK] ?? []) {
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      if (def.properties?.metadata) {
        byGvk.set(`${apiVersion}/${gvk.kind}`, name);
      }
    }
  }
  ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: 'k8s', definitions });
  return ajv;
}

/** The schema definition that describes an object of this apiVersion and kind, if Kubernetes 1.28 has one. */
export function definitionFor(apiVersion: string, kind: string): string | undefined {
  load();
  return byGvk.get(`${apiVersion}/${kind}`);
}

/**
 * Validates one object. Returns the errors, empty when the object is valid;
 * an object whose apiVersion/kind Kubernetes 1.28 does not serve is an error.
 */
export function validateObject(obj: any): string[] {
  const v = load();
  const where = `${obj?.kind ?? '?'} ${obj?.metadata?.name ?? '?'}`;
  const def = definitionFor(obj?.apiVersion, obj?.kind);
  if (!def) {
    return [`${where}: no Kubernetes 1.28 schema for apiVersion ${JSON.stringify(obj?.apiVersion)} kind ${JSON.stringify(obj?.kind)}`];
  }
  let validate = compiled.get(def);
  if (!validate) {
    validate = v.getSchema(`k8s#/definitions/${def}`)!;
    compiled.set(def, validate);
  }
  if (validate(obj)) {
    return [];
  }
  return (validate.errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${JSON.stringify((e.params as any).additionalProperty)})` : '';
    return `${where}: ${e.instancePath || '/'} ${e.message}${extra}`;
  });
}

/** Validates many objects; returns all errors. */
export function validateObjects(objects: any[]): string[] {
  return objects.flatMap(validateObject);
}
