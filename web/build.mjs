// Bundles every web/src/<name>.ts entry point into src/SegWeb.Server/wwwroot/dist/<name>.js (ES modules), so the
// server serves the front end as static files and the Blazor pages load them through JS interop.
import { build } from 'esbuild';
import { existsSync, readdirSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, '..', 'src', 'SegWeb.Server', 'wwwroot', 'dist');
const sourceDir = join(here, 'src');
const entryPoints = (existsSync(sourceDir) ? readdirSync(sourceDir) : [])
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => join(sourceDir, f));
mkdirSync(outdir, { recursive: true });
if (entryPoints.length === 0) {
  console.log('web: no entry points in web/src yet');
  process.exit(0);
}
await build({
  entryPoints,
  outdir,
  bundle: true,
  format: 'esm',
  splitting: true,
  target: 'es2022',
  minify: process.env.SEGWEB_WEB_DEBUG !== '1',
  sourcemap: true,
  logLevel: 'warning',
});
