// Runs after every `cargo leptos build` (the Makefile's `build` and `release`): makes what the
// browser downloads from target/site/pkg smaller on the wire.
//
// 1. Drops the custom sections (`producers`, `target_features`) from every .wasm. Browsers
//    ignore them, and `--split` repeats them in each of the ~200 chunk files: about 17 KB
//    gzipped on a form page (bench/portal/RESULTS.md).
// 2. Writes `<file>.gz` (GNU gzip -9, about 1% smaller than node's zlib) next to every .wasm,
//    .js and .css. leptos_axum's static file handler (tower-http ServeDir with
//    precompressed_gzip) sends it to browsers that accept gzip, so the gzipped size the budget
//    counts is what a browser receives.
//
// Every old .gz goes first: chunk file names are reused between builds, and a stale .gz would
// be served instead of its new file.
//
//   node scripts/finish-site.mjs [target/site/pkg]

import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const dir = process.argv[2] ?? 'target/site/pkg';

/** Reads an unsigned LEB128 at `at`; returns [value, position after it]. */
function leb128(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

/** The module without its custom sections (id 0); every other section byte for byte. */
function withoutCustomSections(bytes) {
  const magic = [0x00, 0x61, 0x73, 0x6d];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) throw new Error('not a wasm module');
  const kept = [bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, body] = leb128(bytes, at + 1);
    const end = body + size;
    if (end > bytes.length) throw new Error('truncated section');
    if (id !== 0) kept.push(bytes.subarray(at, end));
    at = end;
  }
  return Buffer.concat(kept);
}

let before = 0;
let after = 0;
let files = 0;
for (const name of readdirSync(dir)) {
  if (name.endsWith('.gz')) rmSync(join(dir, name));
}
for (const name of readdirSync(dir)) {
  const path = join(dir, name);
  if (name.endsWith('.wasm')) {
    const original = readFileSync(path);
    const stripped = withoutCustomSections(original);
    before += original.length;
    after += stripped.length;
    if (stripped.length !== original.length) writeFileSync(path, stripped);
  }
  if (/\.(wasm|js|css)$/.test(name)) {
    execFileSync('gzip', ['-9', '--no-name', '--keep', '--force', path]);
    files += 1;
  }
}
console.log(
  `finish-site: ${files} files gzipped in ${dir}; custom sections dropped: ${before - after} bytes of wasm`,
);
