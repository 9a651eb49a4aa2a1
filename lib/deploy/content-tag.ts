import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { DockerIgnore } from './dockerignore';

/** The prefix of every content tag. */
export const CONTENT_TAG_PREFIX = 'src-';

/** An image tag derived from what goes into the image. */
export interface ContentTag {
  /** The tag: `src-` and 16 hex digits of the digest. */
  readonly tag: string;
  /** The full SHA-256 digest, hex. */
  readonly digest: string;
  /** How many files of the build context went into it. */
  readonly files: number;
}

/**
 * The tag of an image built from `contextDir` with `buildArgs`: a SHA-256
 * over every file Docker would send as the build context (its path, whether
 * it is executable, and its content; a symbolic link's target) and over the
 * build arguments. Files that the context's `.dockerignore` leaves out do not
 * count. The same sources and arguments always give the same tag, so an
 * unchanged component keeps its tag (no rebuild, no restart) and a changed
 * one gets a new tag (its pods roll).
 *
 * What the tag does not see: a base image that changed under the same
 * `FROM` tag, and files fetched during the build.
 */
export function contentTag(contextDir: string, buildArgs: { readonly [name: string]: string } = {}): ContentTag {
  const ignore = DockerIgnore.load(contextDir);
  const hash = createHash('sha256');
  hash.update('todo-cdk8s content tag 1\n');
  let files = 0;
  for (const entry of contextFiles(contextDir, ignore)) {
    hash.update(`${entry.kind} ${JSON.stringify(entry.path)} ${entry.digest}\n`);
    files++;
  }
  for (const name of Object.keys(buildArgs).sort()) {
    hash.update(`arg ${JSON.stringify(name)} ${JSON.stringify(buildArgs[name])}\n`);
  }
  const digest = hash.digest('hex');
  return { tag: `${CONTENT_TAG_PREFIX}${digest.slice(0, 16)}`, digest, files };
}

interface ContextEntry {
  /** `file`, `exec` (executable file) or `link`. */
  readonly kind: string;
  /** Relative, with `/` separators. */
  readonly path: string;
  /** SHA-256 of the content, or the link target. */
  readonly digest: string;
}

/** The files of a build context that Docker sends, sorted by path. */
function contextFiles(root: string, ignore: DockerIgnore): ContextEntry[] {
  const entries: ContextEntry[] = [];
  const walk = (relativeDir: string) => {
    const dir = path.join(root, relativeDir);
    const names = fs.readdirSync(dir).sort();
    for (const name of names) {
      const relative = relativeDir === '' ? name : `${relativeDir}/${name}`;
      const full = path.join(dir, name);
      const stat = fs.lstatSync(full);
      const ignored = ignore.ignores(relative);
      if (stat.isDirectory()) {
        // An ignored directory may still hold a re-included file (`!pattern`).
        if (!ignored || ignore.hasExceptions) {
          walk(relative);
        }
      } else if (!ignored) {
        if (stat.isSymbolicLink()) {
          entries.push({ kind: 'link', path: relative, digest: fs.readlinkSync(full) });
        } else if (stat.isFile()) {
          const kind = (stat.mode & 0o111) !== 0 ? 'exec' : 'file';
          entries.push({ kind, path: relative, digest: createHash('sha256').update(fs.readFileSync(full)).digest('hex') });
        }
      }
    }
  };
  walk('');
  return entries;
}
