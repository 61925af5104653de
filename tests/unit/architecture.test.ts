import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../emulators/openapi.ts';

/**
 * The shape of utils/ (README, "Architecture"): a folder per capability, no import cycles —
 * type-only imports count too — and the message protocol takes its types from the models,
 * never from an implementation module.
 */
const UTILS = path.join(REPO_ROOT, 'utils');

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? listFiles(path.join(dir, e.name))
      : /\.tsx?$/.test(e.name)
        ? [path.join(dir, e.name)]
        : [],
  );
}

function resolveImport(from: string, spec: string): string | null {
  let base: string;
  if (spec.startsWith('.')) base = path.resolve(path.dirname(from), spec);
  else if (spec.startsWith('@/') || spec.startsWith('~/'))
    base = path.join(REPO_ROOT, spec.slice(2));
  else return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    if (candidate.startsWith(UTILS) && /\.tsx?$/.test(candidate) && existsSync(candidate))
      return candidate;
  }
  return null;
}

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of listFiles(UTILS)) {
    const source = readFileSync(file, 'utf8');
    const specs = [
      ...source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g),
    ].map((m) => m[1]!);
    graph.set(
      file,
      specs.map((s) => resolveImport(file, s)).filter((t): t is string => t !== null),
    );
  }
  return graph;
}

function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles.map((c) => c.map((f) => path.relative(REPO_ROOT, f)));
}

describe('utils/ layout', () => {
  it('has no import cycles (type-only imports included)', () => {
    expect(findCycles(importGraph())).toEqual([]);
  });

  it('keeps the message protocol on the models: messaging.ts imports no implementation module', () => {
    const imports = importGraph().get(path.join(UTILS, 'messaging.ts')) ?? [];
    const allowed = ['utils/model.ts', 'utils/settings.ts', 'utils/crm/model.ts'];
    expect(
      imports.map((f) => path.relative(REPO_ROOT, f)).filter((f) => !allowed.includes(f)),
    ).toEqual([]);
  });

  it('has only foundations at the top level; capabilities live in their folders', () => {
    const top = readdirSync(UTILS, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
    expect(top).toEqual(
      [
        'callLimits.ts',
        'db.ts',
        'displayTime.ts',
        'errorMessage.ts',
        'fieldErrors.ts',
        'handlers.ts',
        'http.ts',
        'messaging.ts',
        'model.ts',
        'permissions.ts',
        'phone.ts',
        'prng.ts',
        'settings.ts',
      ].sort(),
    );
  });
});
