// Writes brotli copies (quality 11) of the installed Dash and Bootstrap files every page
// loads, and a manifest of each source file's SHA-256:
//   node scripts/build-brotli-copies.mjs OUT_DIR NAME=PATH...
// NAME is the file's name under /_dash-component-suites/ without Dash's fingerprint
// (dash/dcc/dash_core_components.js). Python's standard library has gzip but no brotli,
// which is about a sixth smaller on these files; the server sends a copy only while the
// installed file still has the manifest's hash (dashboard/server/serving.py), so an upgraded
// package falls back to gzip until `make brotli-copies` is run again.

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { brotliCompressSync, constants } from "node:zlib";
import path from "node:path";

const [outDir, ...pairs] = process.argv.slice(2);
const out = path.resolve(outDir);
rmSync(out, { recursive: true, force: true });
const manifest = {};
for (const pair of pairs.sort()) {
  const [name, source] = pair.split("=");
  const data = readFileSync(source);
  const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
  const file = path.join(out, `${name}.br`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, br);
  manifest[name] = createHash("sha256").update(data).digest("hex");
  console.log(`${name}: ${(data.length / 1024).toFixed(0)} kB, ${(br.length / 1024).toFixed(0)} kB brotli`);
}
writeFileSync(path.join(out, "manifest.json"), JSON.stringify(manifest, null, 1) + "\n");
