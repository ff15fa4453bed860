/**
 * Private by default (issue 16, item 6; C12): a stored file is reachable only through the
 * temporary URL a function hands out. Without its signature, with another key's signature or a
 * changed expiry it is refused with 403 (and says nothing about whether the file exists); once
 * the link's time has passed, 410; the same link works until then. Keys are made by the server
 * from random ids, never from what the caller typed.
 */
import { Client, iouForm, person, startTestEmulator } from '../support/emulator';
import type { Emulator } from '../../emulator/server';

let emu: Emulator;
let client: Client;
const lender = person('o-pf-lender', '秦一', 40);
const borrower = person('o-pf-borrower', '尤二', 33);
let url: string;
let contractId: string;

beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('private-files'));
  await client.verify(lender);
  await client.verify(borrower);
  const c = await client.ok('contract-create', lender.openid, {
    kind: 'iou', myRole: 'lender',
    counterparty: { fillMode: 'me', name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone },
    form: iouForm(client.today()),
  });
  contractId = c.id;
  url = (await client.ok('contract-download', lender.openid, { contractId })).url;
}, 60_000);
afterAll(() => emu.close());

const get = (p: string) => fetch(`${emu.url}${p}`);
const parts = () => {
  const u = new URL(url, 'http://x');
  return { path: u.pathname, expires: u.searchParams.get('expires')!, sig: u.searchParams.get('sig')! };
};

test('C12 the key is the server\'s (contract id and content hash), not a caller string', () => {
  expect(decodeURIComponent(parts().path)).toMatch(/^\/files\/contracts\/[A-Za-z0-9_-]{16,}\/preview-[0-9a-f]{16}\.pdf$/);
});

test('C12 the temporary URL opens the file', async () => {
  const r = await get(url);
  expect(r.status).toBe(200);
  expect(Buffer.from(await r.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
});

test('C12 without the token, with a forged one, another expiry or another key: 403, and no file', async () => {
  const { path, expires, sig } = parts();
  const refused = [
    path,
    `${path}?expires=${expires}`,
    `${path}?expires=${expires}&sig=`,
    `${path}?expires=${expires}&sig=${sig.slice(0, -2)}AA`,
    `${path}?expires=${Number(expires) + 3600}&sig=${sig}`,
    `${path}?expires=abc&sig=${sig}`,
    `${path.replace(/preview-/, 'original-')}?expires=${expires}&sig=${sig}`,
  ];
  for (const p of refused) {
    const r = await get(p);
    expect([p, r.status]).toEqual([p, 403]);
    const body = (await r.json()) as { ok: boolean; error: { code: string } };
    expect(body).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  }
});

test('C12 an expired URL is refused with 410; a new link works again', async () => {
  await client.raw('POST', '/_emulator/clock', { advanceMinutes: 9 });
  expect((await get(url)).status).toBe(200);
  await client.raw('POST', '/_emulator/clock', { advanceMinutes: 2 });
  const r = await get(url);
  expect(r.status).toBe(410);
  expect(((await r.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
  // A forged token on an expired link is still 403: only a real link learns that it expired.
  const { path, expires } = parts();
  expect((await get(`${path}?expires=${expires}&sig=forged`)).status).toBe(403);
  const fresh = (await client.ok('contract-download', lender.openid, { contractId })).url;
  expect(fresh).not.toBe(url);
  expect((await get(fresh)).status).toBe(200);
});
