import { registerHooks } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Lets a benchmark run by plain Node (`npx node tests/bench/<name>.ts`) import product code,
 * which is written for Vite: imports without extensions, the `@/` alias, and WXT's `#imports`
 * (storage items defined at module load; not needed in-process, so a stub). Node's type
 * stripping runs the TypeScript itself — tsconfig's `erasableSyntaxOnly` keeps product code
 * within what it can strip. Call before the first dynamic import of product code.
 */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const IMPORTS_STUB = `data:text/javascript,${encodeURIComponent(
  'const item = { getValue: async () => undefined, setValue: async () => {}, watch: () => () => {} };' +
    'export const storage = { defineItem: () => item };' +
    'export const browser = {};',
)}`;

export function resolveProductImports(): void {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === '#imports') return { url: IMPORTS_STUB, shortCircuit: true };
      const spec = specifier.startsWith('@/')
        ? pathToFileURL(path.join(REPO, specifier.slice(2))).href
        : specifier;
      const relative = spec.startsWith('.') || spec.startsWith('file:');
      if (relative && !/\.(m?[jt]s|tsx|json)$/.test(spec)) {
        for (const suffix of ['.ts', '/index.ts']) {
          try {
            return nextResolve(spec + suffix, context);
          } catch {
            // try the next spelling
          }
        }
      }
      return nextResolve(spec, context);
    },
  });
}
