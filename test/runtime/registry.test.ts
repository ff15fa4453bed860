/**
 * One function registry is the single list (DESIGN "Deployment"): functions/, schemas/functions/
 * and the registry must agree, and the types generated from the schemas must be current.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FUNCTIONS } from '../../shared/runtime/registry';
import { spawnSync } from 'node:child_process';

const root = path.join(__dirname, '../..');

test('functions/ and schemas/functions/ hold exactly the registered functions', () => {
  const names = FUNCTIONS.map((f) => f.name).sort();
  expect(fs.readdirSync(path.join(root, 'functions')).filter((d) => fs.statSync(path.join(root, 'functions', d)).isDirectory()).sort()).toEqual(names);
  expect(fs.readdirSync(path.join(root, 'schemas/functions')).map((f) => f.replace(/\.json$/, '')).sort()).toEqual(names);
  expect(new Set(names).size).toBe(names.length);
});

test('every entry is a thin main() built by the one wrapper of its kind (webhooks answer HTTP, not the envelope)', () => {
  for (const f of FUNCTIONS) {
    const src = fs.readFileSync(path.join(root, 'functions', f.name, 'index.ts'), 'utf8');
    expect(src).toContain(f.kind === 'webhook' ? `handleWebhook('${f.name}', schema,` : `handle('${f.name}', schema,`);
    expect(src).toContain(`schemas/functions/${f.name}.json`);
    expect(typeof require(path.join(root, 'functions', f.name)).main).toBe('function');
  }
});

test('timers have a 7-field SCF cron', () => {
  for (const f of FUNCTIONS.filter((x) => x.kind === 'timer')) expect(f.schedule?.split(' ')).toHaveLength(7);
});

test('shared/generated/schema-types.ts is generated from the current schemas (npm run gen:types)', () => {
  // In a child process: the generator loads prettier through a dynamic import jest's VM refuses.
  const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'scripts/gen-types.ts'), '--check'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});
