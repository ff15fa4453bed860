/**
 * P3 through the emulator: contract-share answers the token, a 小程序码 PNG the emulator serves
 * (scanned here with jsQR and zbarimg) and a URL Link the emulator resolves — both lead to the
 * share page with the token that share-open accepts; the invitation SMS carries no path and no
 * typed text.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import type { Emulator } from '../../emulator/server';
import { KIND_NAMES, kindSpec } from '../../shared/kinds/registry';
import { SHARE_PAGE, parseLocalCodeContent, tokenFromShareQuery } from '../../shared/messages/share-links';
import { collectionName } from '../../shared/store/collections';
import { Client, iouForm, person, startTestEmulator } from '../support/emulator';

let emu: Emulator;
let client: Client;
let dir: string;
const lender = person('o-sh-lender', '周立', 40);
const borrower = person('o-sh-borrower', '吴波', 35);

beforeAll(async () => {
  ({ emu, client, dir } = await startTestEmulator('share-links'));
  for (const p of [lender, borrower]) await client.verify(p);
});
afterAll(() => emu.close());

const download = async (url: string): Promise<{ status: number; type: string | null; bytes: Buffer }> => {
  const res = await fetch(url.startsWith('http') ? url : `${emu.url}${url}`);
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
};
const jsqrDecode = (bytes: Buffer): string | null => {
  const png = PNG.sync.read(bytes);
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
};
const zbarDecode = (bytes: Buffer): string => {
  const file = path.join(dir, 'share-code.png');
  fs.writeFileSync(file, bytes);
  return execFileSync('zbarimg', ['--quiet', '--raw', file], { encoding: 'utf8' }).replace(/\n$/, '');
};

test('P3 contract-share: the 小程序码 decodes to the share page and the token share-open accepts; the URL Link resolves to the same contract', async () => {
  const v = await client.ok('contract-create', lender.openid, { kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'other' }, form: iouForm(client.today()) });
  expect(v.shareToken).toMatch(/^[A-Za-z0-9_-]{22}$/);
  // Before paying there is nothing to share.
  expect((await client.call('contract-share', lender.openid, { contractId: v.id })).error?.code).toBe('INVALID_TRANSITION');
  await client.pay(lender.openid, v.id);
  const contract = (await emu.container.store.get<{ _id: string; expiresAt: string }>(collectionName('contracts'), v.id))!;

  const share = await client.ok('contract-share', lender.openid, { contractId: v.id });
  expect(share).toMatchObject({ token: v.shareToken, page: SHARE_PAGE, scene: v.shareToken, expiresAt: new Date(Math.floor(Date.parse(contract.expiresAt) / 1000) * 1000).toISOString() });

  const png = await download(share.qrCodeUrl);
  expect(png.status).toBe(200);
  expect(png.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  const content = jsqrDecode(png.bytes);
  expect(zbarDecode(png.bytes)).toBe(content);
  const code = parseLocalCodeContent(content!);
  expect(code).toEqual({ page: SHARE_PAGE, scene: v.shareToken });

  const link = await fetch(share.urlLink);
  expect(link.status).toBe(200);
  const resolved = (await link.json()) as { path: string; query: string; target: string };
  expect(resolved).toMatchObject({ path: SHARE_PAGE, query: `token=${v.shareToken}` });
  expect(tokenFromShareQuery(new URLSearchParams(resolved.query).get('token'))).toBe(v.shareToken);

  // Asking again spends nothing at WeChat: the same link (and code) are reused.
  expect((await client.ok('contract-share', lender.openid, { contractId: v.id })).urlLink).toBe(share.urlLink);
  expect(await emu.container.store.find(collectionName('urlLinks'), {})).toHaveLength(1);

  // The scanned scene opens the contract as the borrower.
  const opened = await client.ok('share-open', borrower.openid, { token: tokenFromShareQuery(code!.scene) });
  expect(opened).toMatchObject({ id: v.id, myRole: 'counterparty' });
  // Only the initiator shares; with no free place left there is nothing to share.
  expect((await client.call('contract-share', borrower.openid, { contractId: v.id })).error?.code).toBe('FORBIDDEN');
  expect((await client.call('contract-share', lender.openid, { contractId: v.id })).error?.code).toBe('INVALID_TRANSITION');
  // The link expires with the contract.
  await client.advance(31);
  expect((await fetch(share.urlLink)).status).toBe(410);
});

test('P3/M3 the invitation SMS to a typed-in number holds no path, no token and no typed text', async () => {
  const kind = KIND_NAMES.find((k) => kindSpec(k).flowFor(kindSpec(k).roles[0]) === 'template')!;
  const spec = kindSpec(kind);
  const invitee = person('o-sh-invitee', '王受', 30);
  const v = await client.ok('contract-create', lender.openid, { kind, myRole: spec.roles[0], counterparty: { fillMode: 'me', name: invitee.name, idNumber: invitee.idNumber, phone: invitee.phone }, form: structuredClone(spec.example) });
  await client.pay(lender.openid, v.id);
  const sms = (await client.sms(invitee.phone)).filter((m) => m.template === 'invite_sign');
  expect(sms).toHaveLength(1);
  const title = (await client.ok('contract-get', lender.openid, { contractId: v.id })).title as string;
  const shortTitle = [...title].length <= 6 ? title : `${[...title].slice(0, 5).join('')}…`;
  expect(sms[0]!.text).toBe(`周立邀请您签署《${shortTitle}》，请在微信小程序“电子签”查看并签署：https://esign.example.cn/open`);
  expect(sms[0]!.text).not.toMatch(/pages\/|token=/);
  expect(sms[0]!.text).not.toContain(v.shareToken);
});
