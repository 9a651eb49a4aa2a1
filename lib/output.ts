import * as fs from 'fs';
import * as path from 'path';

/**
 * Writes a directory all at once: `produce` fills a fresh staging directory
 * beside `outdir`, which then replaces `outdir` by rename. When `produce`
 * throws, the staging directory is removed and `outdir` is left as it was, so
 * a failed synth never leaves half-written output.
 */
export function writeDirectoryAtomically(outdir: string, produce: (staging: string) => void): void {
  const target = path.resolve(outdir);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.staging-`));
  fs.chmodSync(staging, 0o755);
  try {
    produce(staging);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  const old = fs.existsSync(target) ? `${staging}.old` : undefined;
  if (old) {
    fs.renameSync(target, old);
  }
  fs.renameSync(staging, target);
  if (old) {
    // Stryker disable next-line BooleanLiteral: `old` was renamed into place just before; `force` matters only for a missing path
    fs.rmSync(old, { recursive: true, force: true });
  }
}
