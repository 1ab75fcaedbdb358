// Bundles the workspace into OUTDIR (default dist/): index.html, app.js (every library inside,
// minified), app.css. The server embeds these files at build time; nothing is fetched at run time.
// Usage: node build.mjs [OUTDIR [NODE_MODULES]] (the build tree installs the packages of
// package-lock.json outside the source tree and names them here).
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] || join(here, 'dist'));
const modules = resolve(process.argv[3] || join(here, 'node_modules'));
const { build } = createRequire(join(modules, 'noop.js'))('esbuild');
mkdirSync(out, { recursive: true });
await build({
  nodePaths: [modules],
  entryPoints: [join(here, 'src', 'app.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome100', 'firefox100'],
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
  legalComments: 'eof',
});
copyFileSync(join(here, 'src', 'index.html'), join(out, 'index.html'));
copyFileSync(join(here, 'src', 'style.css'), join(out, 'app.css'));
console.log(`web: bundled into ${out}`);
