// Builds the two partial plotly.js bundles the dashboard serves from assets/vendor/:
//   plotly-charts-<version>.min.js  scatter (always in plotly.js's core) and bar: every chart page
//   plotly-maps-<version>.min.js    scattermap and choroplethmap with MapLibre: the hotspot map only
// and a brotli-compressed copy of each (served to browsers that accept it).
//
// Run from a folder where `npm install plotly.js@<version> esbuild` was done:
//   node /path/to/scripts/build-plotly-bundles.mjs /path/to/assets/vendor
// (`make plotly-bundles` does all of it). The version must match the plotly.js that the
// installed plotly Python package ships, which a test checks.

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

for (const [name, traces] of Object.entries(bundles)) {
  const entry = `var Plotly = require("plotly.js/lib/core");\nPlotly.register([${traces.map((t) => `require("plotly.js/lib/${t}")`).join(", ")}]);\nmodule.exports = Plotly;\n`;
  const file = path.join(out, `plotly-${name}-${version}.min.js`);
  await build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: "js" },
    outfile: file,
    format: "iife",
    globalName: "Plotly",
    bundle: true,
    minify: true,
    legalComments: "none",
    target: "es2016",
    define: { global: "window", "define.amd": "false", "process.env.NODE_DEBUG": "false" },
    alias: { stream: "stream-browserify" },
    plugins: [inlineCss],
    banner: { js: `/* plotly.js ${version} (MIT licence), partial bundle: ${["scatter", ...traces].join(", ")} */` },
    logLevel: "warning",
  });
  const data = readFileSync(file);
  const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
  writeFileSync(file + ".br", br);
  console.log(`${path.basename(file)}: ${(data.length / 1024).toFixed(0)} kB, ${(br.length / 1024).toFixed(0)} kB brotli`);
}
