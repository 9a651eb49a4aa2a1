import * as fs from 'fs';
import * as path from 'path';

interface Pattern {
  readonly text: string;
  readonly exception: boolean;
  readonly regex: RegExp;
}

/**
 * The rules of a build context's `.dockerignore`: which files Docker leaves
 * out of the context it sends to the daemon.
 *
 * Follows Docker's rules: one pattern per line, `#` comments, a leading `/`
 * and `./` ignored, `*` and `?` within a path segment, `**` across segments,
 * `[...]` classes, `!` re-includes; the last matching pattern wins, and a
 * pattern that matches a directory matches everything under it.
 *
 * @see https://docs.docker.com/build/concepts/context/#dockerignore-files
 */
export class DockerIgnore {
  /** The rules of `<contextDir>/.dockerignore`; none when there is no such file. */
  public static load(contextDir: string): DockerIgnore {
    const file = path.join(contextDir, '.dockerignore');
    return new DockerIgnore(fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split(/\r?\n/) : []);
  }

  private readonly patterns: Pattern[];

  constructor(lines: readonly string[]) {
    this.patterns = lines
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => {
        const exception = line.startsWith('!');
        const text = clean(exception ? line.slice(1).trim() : line);
        return { text, exception, regex: compile(text) };
      })
      .filter((p) => p.text !== '' && p.text !== '.');
  }

  /** Whether some pattern starts with `!`: an ignored directory may then hold files that are kept. */
  public get hasExceptions(): boolean {
    return this.patterns.some((p) => p.exception);
  }

  /** Whether the file or directory at `relativePath` (with `/` separators) is left out of the context. */
  public ignores(relativePath: string): boolean {
    const candidates = ancestorsAndSelf(clean(relativePath));
    let ignored = false;
    for (const pattern of this.patterns) {
      if (candidates.some((candidate) => pattern.regex.test(candidate))) {
        ignored = !pattern.exception;
      }
    }
    return ignored;
  }
}

/** `a/b/c` gives `a`, `a/b`, `a/b/c`. */
function ancestorsAndSelf(relativePath: string): string[] {
  const parts = relativePath.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** A path cleaned as Docker cleans patterns: no leading `/` or `./`, no trailing `/`, no `//` or `/./`. */
function clean(text: string): string {
  const normalized = path.posix.normalize(text.replace(/\\/g, '/'));
  return normalized.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
}

/** A pattern as an anchored regular expression over `/`-separated paths. */
function compile(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      i++;
      if (pattern[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else {
        re += '.*';
      }
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
      } else {
        const body = pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) {
      i++;
      re += escapeRegExp(pattern[i]);
    } else {
      re += escapeRegExp(c);
    }
  }
  return new RegExp(`^${re}$`);
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
