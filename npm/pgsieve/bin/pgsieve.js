#!/usr/bin/env node
// The `pgsieve` command of the npm package: runs the prebuilt binary that the platform's package
// (@pgsieve/linux-x64, an optional dependency npm installs only on that platform) holds. No
// install script: nothing is downloaded at install time (npm/README.md).
'use strict';

const { spawnSync } = require('child_process');

// process.platform-process.arch: the package holding that platform's binary
const PACKAGES = { 'linux-x64': '@pgsieve/linux-x64' };
const FROM_SOURCE = 'https://github.com/pgsieve/pgsieve#building';

function fail(message) {
  process.stderr.write(`pgsieve: ${message}\n`);
  process.exit(2);
}

function binaryPath() {
  const key = `${process.platform}-${process.arch}`;
  const pkg = PACKAGES[key];
  if (!pkg) {
    fail(`there is no prebuilt pgsieve for ${key} (only for ${Object.keys(PACKAGES).join(', ')}); ` +
      `build it from source: ${FROM_SOURCE}`);
  }
  try {
    return require.resolve(`${pkg}/bin/pgsieve`);
  } catch (e) {
    fail(`'${pkg}', the package with pgsieve's binary for ${key}, is not installed ` +
      `(optional dependencies left out, e.g. by --omit=optional?): npm install ${pkg}`);
  }
  return null;
}

const bin = binaryPath();
const r = spawnSync(bin, process.argv.slice(2), { stdio: 'inherit' });
if (r.error) {
  fail(`cannot run '${bin}': ${r.error.message}`);
}
if (r.signal) {
  // die of the same signal, so that the caller sees what happened to pgsieve
  process.kill(process.pid, r.signal);
}
process.exit(r.status === null ? 2 : r.status);
