import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, SPECS_DIR, specFiles } from '../emulators/openapi.ts';

// A fresh clone has nothing beside it: the API documents the emulators validate against
// must be inside the repository (tests/specs), not in a sibling folder.
describe('API documents the emulators validate against', () => {
  it('live inside the repository', () => {
    const relative = path.relative(REPO_ROOT, SPECS_DIR);
    expect(relative.startsWith('..')).toBe(false);
    expect(path.isAbsolute(relative)).toBe(false);
  });

  it.each(['hubspot', 'clio'] as const)(
    '%s: every document named is present and readable',
    (vendor) => {
      for (const file of specFiles(vendor)) {
        expect(existsSync(file), file).toBe(true);
        expect(readFileSync(file, 'utf8')).toMatch(/openapi/);
      }
    },
  );

  it('the Twilio document for messages and calls is kept too', () => {
    const file = path.join(SPECS_DIR, 'twilio', 'api_v2010.messages-calls.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty('paths');
  });
});
