// Builds the two partial plotly.js bundles the dashboard serves from assets/vendor/:
//   plotly-charts-<version>.min.js  scatter (always in plotly.js's core) and bar: every chart page
//   plotly-maps-<version>.min.js    scattermap and choroplethmap with MapLibre: the hotspot map only
// and a brotli-compressed copy of each (served to browsers that accept it).
//
// Run from a folder where `npm install plotly.js@<version> esbuild` was done:
//   node /path/to/scripts/build-plotly-bundles.mjs /path/to/assets/vendor
// (`make plotly-bundles` does all of it). The version must match the plotly.js that the
// installed plotly Python package ships, which a test checks.
//
// MapLibre's code in the maps bundle is arranged so that no part of it travels twice.
// MapLibre 6 ships as three ES modules: the page's (maplibre-gl.mjs), the worker's
// (maplibre-gl-worker.mjs) and a chunk both import (maplibre-gl-shared.mjs, about half a
// megabyte). plotly.js inlines a prebuilt worker as a string, which holds a second copy of
// the shared chunk: 60 kB of the bundle's 670 kB brotli. Here the shared chunk is one
// function instead: the page calls it, and each worker is started from that function's own
// source text (Function.prototype.toString) followed by the worker module, so the chunk is
// sent once. The worker still starts from a blob: URL, as plotly.js's does (CSP worker-src blob:).
// plotly.js uses four MapLibre exports; importing only those lets esbuild drop the rest.
//
// Also writes assets/regenerator-runtime-<version>.min.js (beside the vendor folder, so Dash
// loads it on every page): the one part of @babel/polyfill that Dash's own code needs, now
// that the pages leave the polyfill out (dashboard/site/index.py).

import { createRequire } from "node:module";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { brotliCompressSync, constants } from "node:zlib";
import path from "node:path";

const require = createRequire(path.join(process.cwd(), "package.json"));
const { build } = require("esbuild");
const version = require("plotly.js/package.json").version;
const out = path.resolve(process.argv[2] || "assets/vendor");
mkdirSync(out, { recursive: true });

const bundles = {
  charts: ["bar"],
  maps: ["scattermap", "choroplethmap"],
};
const TARGET = "es2016";  // as plotly.js's own dist
const MAPLIBRE_USED = ["Map", "LngLat", "AttributionControl", "setWorkerUrl"];  // every maplibregl.* in plotly.js's src

// MapLibre's stylesheet is required from JavaScript; inject it as a <style> element, as
// plotly.js's own build does (the policy allows inline styles, which plotly needs anyway).
const inlineCss = {
  name: "inline-css",
  setup(b) {
    b.onLoad({ filter: /\.css$/ }, (args) => ({
      contents: `var s=document.createElement("style");s.textContent=${JSON.stringify(readFileSync(args.path, "utf8"))};document.head.appendChild(s);`,
      loader: "js",
    }));
  },
};

// The shared chunk's import in either module becomes a call of the one function.
const SHARED = /^\.\/maplibre-gl-shared\.mjs$/;

async function minified(options) {
  const result = await build({ bundle: true, minify: true, legalComments: "none", target: TARGET, format: "iife",
                               write: false, logLevel: "warning", ...options });
  return result.outputFiles[0].text;
}

async function maplibrePlugin() {
  const dist = path.dirname(require.resolve("maplibre-gl/dist/maplibre-gl.mjs"));
  const shared = await minified({
    stdin: { contents: `export * from ${JSON.stringify(path.join(dist, "maplibre-gl-shared.mjs"))};`, resolveDir: dist, loader: "js" },
    globalName: "maplibreShared",
  });
  const worker = await minified({
    entryPoints: [path.join(dist, "maplibre-gl-worker.mjs")],
    plugins: [{
      name: "shared-in-worker",
      setup(b) {
        b.onResolve({ filter: SHARED }, () => ({ path: "shared", namespace: "maplibre-shared" }));
        b.onLoad({ filter: /.*/, namespace: "maplibre-shared" }, () => ({ contents: "module.exports = maplibreSharedChunk();", loader: "js" }));
      },
    }],
  });
  return {
    name: "maplibre-once",
    setup(b) {
      b.onResolve({ filter: /^maplibre-gl\/dist\/maplibre-gl\.mjs$/ }, (args) =>
        args.namespace === "maplibre-used" ? undefined : { path: "used", namespace: "maplibre-used" });
      b.onLoad({ filter: /.*/, namespace: "maplibre-used" }, () => ({
        contents: `export { ${MAPLIBRE_USED.join(", ")} } from "maplibre-gl/dist/maplibre-gl.mjs";`, loader: "js", resolveDir: process.cwd(),
      }));
      b.onResolve({ filter: SHARED }, () => ({ path: "shared", namespace: "maplibre-shared" }));
      b.onResolve({ filter: /^maplibre-shared-chunk$/ }, () => ({ path: "chunk", namespace: "maplibre-shared" }));
      b.onLoad({ filter: /^shared$/, namespace: "maplibre-shared" }, () => ({ contents: `module.exports = require("maplibre-shared-chunk")();`, loader: "js", resolveDir: process.cwd() }));
      b.onLoad({ filter: /^chunk$/, namespace: "maplibre-shared" }, () => ({ contents: `module.exports = function () {\n${shared}\nreturn maplibreShared;\n};`, loader: "js" }));
      b.onLoad({ filter: /build[\\/]maplibre_worker\.js$/ }, () => ({
        contents: `module.exports = "var maplibreSharedChunk = " + require("maplibre-shared-chunk").toString() + ";\\n" + ${JSON.stringify(worker)};`,
        loader: "js", resolveDir: process.cwd(),
      }));
    },
  };
}

for (const [name, traces] of Object.entries(bundles)) {
  const entry = `var Plotly = require("plotly.js/lib/core");\nPlotly.register([${traces.map((t) => `require("plotly.js/lib/${t}")`).join(", ")}]);\nmodule.exports = Plotly;\n`;
  const file = path.join(out, `plotly-${name}-${version}.min.js`);
  const plugins = name === "maps" ? [inlineCss, await maplibrePlugin()] : [inlineCss];
  await build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: "js" },
    outfile: file,
    format: "iife",
    globalName: "Plotly",
    bundle: true,
    minify: true,
    legalComments: "none",
    target: TARGET,
    define: { global: "window", "define.amd": "false", "process.env.NODE_DEBUG": "false" },
    alias: { stream: "stream-browserify" },
    plugins,
    banner: { js: `/* plotly.js ${version} (MIT licence), partial bundle: ${["scatter", ...traces].join(", ")} */` },
    logLevel: "warning",
  });
  const data = readFileSync(file);
  const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
  writeFileSync(file + ".br", br);
  console.log(`${path.basename(file)}: ${(data.length / 1024).toFixed(0)} kB, ${(br.length / 1024).toFixed(0)} kB brotli`);
}

const regenerator = require.resolve("regenerator-runtime/runtime.js");
const regeneratorVersion = require("regenerator-runtime/package.json").version;
const { transform } = require("esbuild");
const runtime = await transform(readFileSync(regenerator, "utf8"), { minify: true, target: TARGET, legalComments: "none" });
const runtimeFile = path.join(path.dirname(out), `regenerator-runtime-${regeneratorVersion}.min.js`);
writeFileSync(runtimeFile, `/* regenerator-runtime ${regeneratorVersion} (MIT licence, Facebook, Inc.) */\n${runtime.code}`);
console.log(`${path.basename(runtimeFile)}: ${(runtime.code.length / 1024).toFixed(0)} kB`);
