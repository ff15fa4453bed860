/**
 * templates/index.ts is generated from templates/<kind>/ and schemas/templates/ (the texts are
 * inlined so a bundled function reads no file): it must be current, and every template it lists
 * must load — a broken one would stop its functions' cold start.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseTemplate } from '../../shared/kinds/template-data';
import { TEMPLATE_SOURCES } from '../../templates';

test('templates/index.ts is generated from the current templates (npx tsx templates/generate-index.ts)', () => {
  const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, '../../templates/generate-index.ts'), '--check'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

test.each(TEMPLATE_SOURCES.map((s) => [s.kind, s] as const))('%s loads: its rules and its text name only fields of its form and roles of its pair', (_kind, src) => {
  expect(() => parseTemplate(src)).not.toThrow();
});
