import * as fs from 'fs';
import { parseAllDocuments } from 'yaml';

/** Parses a multi-document YAML text into objects (empty documents dropped). */
export function parseYaml(text: string): any[] {
  return parseAllDocuments(text).map((d) => {
    if (d.errors.length > 0) {
      throw new Error(`YAML error: ${d.errors[0].message}`);
    }
    return d.toJS();
  }).filter((d) => d !== null && d !== undefined);
}

/** Parses a multi-document YAML file. */
export function readYaml(file: string): any[] {
  return parseYaml(fs.readFileSync(file, 'utf8'));
}
