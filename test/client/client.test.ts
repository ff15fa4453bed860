/**
 * The typed client (issue 18, item 3): generated types and validators are current; the
 * callFunction wrappers work against the emulator with a wx.cloud-shaped transport; the ajv
 * standalone validators run in a Node started with --disallow-code-generation-from-strings (where
 * `new Function` throws, as in the mini-program); the output-schema check refuses a wrong shape;
 * /openapi.json describes every callable function from the same schemas.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { call, callFunction, validateInput, type CloudLike } from '../../client';
import { FUNCTIONS } from '../../shared/runtime/registry';
import { checkAnswer } from '../support/output-schemas';
import { startTestEmulator } from '../support/emulator';
import type { Emulator } from '../../emulator/server';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
let emu: Emulator;
beforeAll(async () => {
  ({ emu } = await startTestEmulator('client'));
});
afterAll(() => emu.close());

/** wx.cloud.callFunction's shape over the emulator's HTTP door. */
const cloudAs = (openid: string): CloudLike => ({
  callFunction: async ({ name, data }) => ({ result: await (await fetch(`${emu.url}/fn/${name}`, { method: 'POST', headers: { 'x-openid': openid }, body: JSON.stringify(data) })).json() }),
});

test('callFunction answers the typed envelope; call throws the code and Chinese message', async () => {
  const a = await callFunction(cloudAs('cl-alice'), 'user-profile', {});
  expect(a).toMatchObject({ ok: true, data: { verified: false, name: null, idNumber: null, phone: null, verifiedAt: null } });
  if (a.ok) checkAnswer('user-profile', a);
  const list = await call(cloudAs('cl-alice'), 'template-list', {});
  expect(list.templates.length).toBeGreaterThan(0);
  await expect(call(cloudAs('cl-alice'), 'contract-get', { contractId: 'ct_nosuchcontract' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
});

test('the build-time validators check as the server does', () => {
  expect(validateInput('contract-get', { contractId: 'ct_abcdefghij' })).toEqual([]);
  expect(validateInput('contract-get', { contractId: '../x' })).toEqual([{ field: '/contractId', rule: 'pattern' }]);
  expect(validateInput('contract-get', {})).toEqual([{ field: '/', rule: 'required' }]);
});

test('the validators run with code generation from strings disabled', async () => {
  const script = `
    let blocked = false; try { new Function('return 1'); } catch { blocked = true; }
    const v = require(${JSON.stringify(path.join(ROOT, 'client', 'validators.js'))});
    const names = Object.keys(v);
    console.log(JSON.stringify({ blocked, count: names.length, good: v.input_ContractGet({ contractId: 'ct_abcdefghij' }), bad: v.input_ContractGet({ contractId: 1 }),
      email: v.input_ContractEmail ? v.input_ContractEmail({ contractId: 'ct_abcdefghij', email: 'not an email' }) : null }));`;
  const { stdout } = await run(process.execPath, ['--disallow-code-generation-from-strings', '-e', script], { cwd: ROOT });
  const r = JSON.parse(stdout);
  expect(r).toMatchObject({ blocked: true, good: true, bad: false, email: false });
  expect(r.count).toBeGreaterThan(FUNCTIONS.length);
});

test('generated client files are current (npm run gen:client)', async () => {
  await expect(run(process.execPath, [require.resolve('tsx/cli'), path.join(ROOT, 'scripts', 'gen-client.ts'), '--check'], { cwd: ROOT })).resolves.toBeDefined();
}, 60_000);

test('an answer off its output schema fails the e2e check', () => {
  expect(() => checkAnswer('user-profile', { ok: true, data: { verified: 'yes' } })).toThrow(/does not match/);
  expect(() => checkAnswer('user-profile', { ok: true, data: { verified: false, name: null, idNumber: null, phone: null, verifiedAt: null } })).not.toThrow();
  expect(() => checkAnswer('user-profile', { ok: false })).toThrow(/not an envelope/);
});

test('GET /openapi.json: OpenAPI 3.1 with every callable function, its input and output schema', async () => {
  const doc = (await (await fetch(`${emu.url}/openapi.json`)).json()) as any;
  expect(doc.openapi).toBe('3.1.0');
  const calls = FUNCTIONS.filter((f) => f.kind === 'call').map((f) => `/fn/${f.name}`).sort();
  expect(Object.keys(doc.paths).sort()).toEqual(calls);
  const get = doc.paths['/fn/contract-get'].post;
  expect(get.requestBody.content['application/json'].schema.required).toEqual(['contractId']);
  expect(get.responses['200'].content['application/json'].schema.properties.data.required).toContain('state');
});
