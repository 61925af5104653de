/**
 * Size of the built content scripts (they load into every matching CRM or portal page):
 * minified bytes and gzip bytes of each file in content-scripts/ of the build (crm.js, one
 * script per built-in phone portal, portal.js for the firm's custom portal), plus dock.css,
 * the stylesheet the CRM and portal scripts fetch for the dock.
 * Prints figures. The budget (< 20,480 bytes minified per script) is a failing check in
 * tests/e2e/content-script-size.spec.ts, run by `npm run test:e2e` on the build it makes.
 *
 * Run alone: `npm run build && node tests/bench/content-script-size.ts` (EXTENSION_DIR to
 * point at another build). tests/bench/run-bench.ts calls benchContentScriptSize().
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { EXTENSION_DIR } from '../e2e/fixtures.ts';

export interface ScriptSize {
  file: string;
  minifiedBytes: number;
  gzipBytes: number;
}

export function benchContentScriptSize(dir = EXTENSION_DIR): ScriptSize[] {
  const scripts = path.join(dir, 'content-scripts');
  if (!existsSync(scripts)) throw new Error(`No content scripts in ${dir}: build first.`);
  const files = readdirSync(scripts)
    .filter((file) => file.endsWith('.js') || file.endsWith('.css'))
    .sort()
    .map((file) => `content-scripts/${file}`);
  if (existsSync(path.join(dir, 'dock.css'))) files.push('dock.css');
  return files.map((file) => {
    const bytes = readFileSync(path.join(dir, file));
    return {
      file,
      minifiedBytes: bytes.length,
      gzipBytes: gzipSync(bytes, { level: 9 }).length,
    };
  });
}

const runDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (runDirectly) {
  console.log('Content script size, bytes:');
  console.table(benchContentScriptSize());
}
