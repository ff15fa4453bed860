/**
 * Own files through the emulator as the mini-program does it (U1): the bytes go to storage first
 * (POST /_emulator/storage/upload → fileID, like wx.cloud.uploadFile), then file-import checks and
 * prepares them — a docx and an xlsx through the real LibreOffice, a pdf as it is, a jpg as one A4
 * page — answering pages, a preview link and both SHA-256s; the original is kept beside the PDF
 * under our own keys. Every refusal has its code and stores nothing.
 */
import { createHash } from 'node:crypto';
import { PDFDocument } from '@cantoo/pdf-lib';
import { Client, person, startTestEmulator, storeSnapshot, type Person } from '../support/emulator';
import type { Emulator } from '../../emulator/server';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nssDbTrusting, pdfsig, pdftotext, rasterize, tempDir, writeTemp } from '../documents/tools';
import { makeDocx, makeJpeg, makePdf, makePng, makeXlsx } from '../files/make-files';

jest.setTimeout(120_000);
let emu: Emulator;
let client: Client;
let alice: Person;
let bob: Person;

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const upload = async (p: Person, name: string, bytes: Uint8Array): Promise<string> => {
  const res = await fetch(`${emu.url}/_emulator/storage/upload?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'x-openid': p.openid, 'content-type': 'application/octet-stream' }, body: bytes });
  expect(res.status).toBe(200);
  return ((await res.json()) as { fileID: string }).fileID;
};

const importFile = async (p: Person, name: string, bytes: Uint8Array) => client.call('file-import', p.openid, { fileID: await upload(p, name, bytes), name });
const download = async (url: string) => Buffer.from(await (await fetch(`${emu.url}${url}`)).arrayBuffer());

beforeAll(async () => {
  ({ emu, client } = await startTestEmulator('own-files'));
  await client.advanceToChinaHour(10);
  alice = person('o-of-alice', '林自有', 35, client.today());
  bob = person('o-of-bob', '许他人', 41, client.today());
  for (const p of [alice, bob]) await client.verify(p);
}, 60_000);
afterAll(() => emu.close());

describe('U1 file-import through the emulator', () => {
  test('U1 a docx, an xlsx, a pdf and a jpg each become PDF pages with their sizes, a preview and both hashes; the original is kept beside the PDF', async () => {
    const docx = makeDocx(['Cooperation agreement of Lin'], 1);
    const xlsx = makeXlsx([['Total', 4321]]);
    const pdf = await makePdf(3, [612, 792]);
    const jpg = makeJpeg(300, 150, 6);
    const cases = [
      { name: '合作协议.docx', bytes: docx, type: 'docx', pages: 2, text: 'Cooperation agreement of Lin' },
      { name: '报价单.xlsx', bytes: xlsx, type: 'xlsx', pages: 1, text: '4321' },
      { name: '租房合同.pdf', bytes: pdf, type: 'pdf', pages: 3, text: 'Own file page 3' },
      { name: '欠条照片.jpg', bytes: jpg, type: 'jpg', pages: 1, text: null },
    ];
    for (const c of cases) {
      const r = await importFile(alice, c.name, c.bytes);
      expect(r.ok).toBe(true);
      const d = r.data;
      expect(d).toMatchObject({ type: c.type, originalName: c.name, originalSha256: sha(c.bytes) });
      expect(d.fileId).toMatch(/^fi_/);
      expect(d.pages).toHaveLength(c.pages);
      if (c.type === 'pdf') expect(d.pages[0]).toEqual({ width: 612, height: 792 });
      if (c.type === 'jpg') expect(d.pages[0]).toEqual({ width: 595.28, height: 841.89 });
      const preview = await download(d.previewUrl);
      expect(sha(preview)).toBe(d.pdfSha256);
      expect((await PDFDocument.load(preview)).getPageCount()).toBe(c.pages);
      if (c.text) expect(pdftotext(writeTemp(tempDir(), 'p.pdf', preview))).toContain(c.text);
      // Stored under our keys (never the name), original beside the PDF.
      const stored = await emu.container.store.get<any>('file_imports', d.fileId);
      expect(stored.openid).toBe(alice.openid);
      expect(stored.ownFile.pdfKey).toBe(`ownfiles/${d.fileId}/document.pdf`);
      expect(stored.ownFile.originals).toEqual([{ name: c.name, sha256: sha(c.bytes), key: `ownfiles/${d.fileId}/original-1.${c.type}` }]);
      expect(sha((await emu.container.files.get(stored.ownFile.originals[0].key))!)).toBe(sha(c.bytes));
    }
  });

  test('U1 the album: several images in order, one page each; the camera takes one photo', async () => {
    const images = [{ name: '1.jpg', bytes: makeJpeg() }, { name: '2.png', bytes: makePng() }, { name: '3.jpg', bytes: makeJpeg(100, 300) }];
    const list = [];
    for (const i of images) list.push({ fileID: await upload(alice, i.name, i.bytes), name: i.name });
    const r = await client.ok('file-import', alice.openid, { images: list, source: 'album' });
    expect(r.pages).toHaveLength(3);
    expect(r.originals).toEqual(images.map((i) => ({ name: i.name, sha256: sha(i.bytes) })));
    const camera = await client.call('file-import', alice.openid, { images: list.slice(0, 2), source: 'camera' });
    expect([camera.ok, camera.error?.code]).toEqual([false, 'VALIDATION_FAILED']);
  });

  test('U1 refusals: each with its code, nothing stored; someone else\'s upload is NOT_FOUND', async () => {
    const before = await storeSnapshot(emu.container.store);
    const big = Buffer.alloc(20 * 1024 * 1024 + 1); big.write('%PDF-1.7');
    const enc = Buffer.from(await makePdf(1));
    const cases: Array<[string, Uint8Array, string]> = [
      ['病毒.pdf', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(100)]), 'UNSUPPORTED_FILE_TYPE'],
      ['page.docx', Buffer.from('<html><body>x</body></html>'), 'UNSUPPORTED_FILE_TYPE'],
      ['renamed.docx', enc, 'UNSUPPORTED_FILE_TYPE'],
      ['huge.pdf', big, 'FILE_TOO_LARGE'],
      ['cut.pdf', enc.subarray(0, enc.length - 30), 'FILE_UNREADABLE'],
      ['cut.jpg', makeJpeg().subarray(0, 400), 'FILE_UNREADABLE'],
    ];
    for (const [name, bytes, code] of cases) {
      const r = await importFile(alice, name, bytes);
      expect([name, r.error?.code]).toEqual([name, code]);
    }
    const alicesFile = await upload(alice, 'a.pdf', await makePdf(1));
    const stolen = await client.call('file-import', bob.openid, { fileID: alicesFile, name: 'a.pdf' });
    expect(stolen.error?.code).toBe('NOT_FOUND');
    const forged = await client.call('file-import', bob.openid, { fileID: `cloud://x/uploads/${bob.openid}/../../ownfiles/x`, name: 'a.pdf' });
    expect(forged.error?.code).toBe('NOT_FOUND');
    expect(await storeSnapshot(emu.container.store)).toBe(before);
  });
});

describe('U2 U3 C5 own-file contracts through the emulator', () => {
  let carol: Person;
  let dave: Person;
  let pdfImport: any;
  const A4W = 595.28;
  // Bob has two fields (U3: a signer may sign in several places); everyone else one.
  const fields = (k: number) => [{ page: 1, x: 60 + k * 170, y: 120, width: 120, height: 120 }, ...(k === 1 ? [{ page: 1, x: 230, y: 420, width: 90, height: 90 }] : [])];
  const create = (p: Person, body: Record<string, unknown>) => client.call('contract-create', p.openid, body);
  const base = () => ({
    kind: 'own_file', fileId: pdfImport.fileId, title: '三方合作协议', noticeAccepted: true,
    deadline: new Date(emu.container.clock.now().getTime() + 7 * 86_400_000).toISOString(),
    signers: [
      { fillMode: 'self', fields: fields(0) },
      { fillMode: 'me', name: bob.name, idNumber: bob.idNumber, phone: bob.phone, fields: fields(1) },
      { fillMode: 'other', fields: fields(2) },
    ],
  });

  beforeAll(async () => {
    carol = person('o-of-carol', '潘对方', 29, client.today());
    dave = person('o-of-dave', '韩第四', 50, client.today());
    for (const p of [carol, dave]) await client.verify(p);
    pdfImport = await client.ok('file-import', alice.openid, { fileID: await upload(alice, '合作协议.pdf', await makePdf(2)), name: '合作协议.pdf' });
  });

  test('U2 U3 C2 refusals: each its code, nothing stored', async () => {
    const before = await storeSnapshot(emu.container.store);
    const b = base();
    const s = b.signers;
    const cases: Array<[string, Record<string, unknown>, string, string?]> = [
      ['notice not accepted', { ...b, noticeAccepted: false }, 'VALIDATION_FAILED', '/noticeAccepted'],
      ['deadline passed', { ...b, deadline: new Date(emu.container.clock.now().getTime() - 60_000).toISOString() }, 'VALIDATION_FAILED', '/deadline'],
      ['deadline beyond 30 days', { ...b, deadline: new Date(emu.container.clock.now().getTime() + 31 * 86_400_000).toISOString() }, 'VALIDATION_FAILED', '/deadline'],
      ['one signer', { ...b, signers: [s[0]] }, 'VALIDATION_FAILED'],
      ['a title of only spaces and invisible characters', { ...b, title: ' \u3000\u200B ' }, 'VALIDATION_FAILED', '/title'],
      ['a title with a link (it is named in the SMS)', { ...b, title: '合作协议 详见 evil.example.com' }, 'VALIDATION_FAILED', '/title'],
      ['a field off the page', { ...b, signers: [s[0], { ...s[1], fields: [{ page: 1, x: A4W - 50, y: 100, width: 120, height: 60 }] }, s[2]] }, 'VALIDATION_FAILED', '/signers/1/fields/0'],
      ['a page that does not exist', { ...b, signers: [s[0], { ...s[1], fields: [{ page: 3, x: 10, y: 10, width: 100, height: 60 }] }, s[2]] }, 'VALIDATION_FAILED', '/signers/1/fields/0/page'],
      ['overlapping another signer', { ...b, signers: [s[0], { ...s[1], fields: [{ page: 1, x: 100, y: 150, width: 100, height: 60 }] }, s[2]] }, 'VALIDATION_FAILED', '/signers/1/fields/0'],
      ['a signer with no field', { ...b, signers: [s[0], { ...s[1], fields: [] }, s[2]] }, 'VALIDATION_FAILED'],
      ['the same person twice', { ...b, signers: [s[0], s[1], { ...s[1], fields: fields(2) }] }, 'VALIDATION_FAILED', '/signers'],
      ['the initiator again as a signer', { ...b, signers: [s[0], { fillMode: 'me', name: alice.name, idNumber: alice.idNumber, phone: alice.phone, fields: fields(1) }] }, 'VALIDATION_FAILED', '/signers'],
      ['more than the maximum of signers', { ...b, signers: [s[0], ...Array.from({ length: 10 }, (_, k) => ({ fillMode: 'other', fields: [{ page: 2, x: 10 + (k % 5) * 110, y: 10 + Math.floor(k / 5) * 100, width: 100, height: 80 }] }))] }, 'VALIDATION_FAILED', '/signers'],
      ['someone else\'s file', { ...b }, 'NOT_FOUND'],
    ];
    for (const [what, body, code, field] of cases) {
      const r = await create(what === 'someone else\'s file' ? bob : alice, body);
      expect([what, r.error?.code]).toEqual([what, code]);
      if (field) expect([what, (r.error?.details as any)?.fields?.[0]?.field]).toEqual([what, field]);
    }
    expect(await storeSnapshot(emu.container.store)).toBe(before);
  });

  test('U2 U3 U4 C5: three signers, one 对方填 → free quota → fill → signatures in order → 已生效; pdfsig names each signer; a seal inside every field', async () => {
    const c = await client.ok('contract-create', alice.openid, base());
    const events = await emu.container.store.find<any>('events', { contractId: c.id }, { orderBy: [['seq', 'asc']] });
    expect(events.map((e) => e.type)).toEqual(['notice_accepted', 'created']);
    const stored = (await emu.container.store.get<any>('contracts', c.id))!;
    expect(stored.ownFile).toMatchObject({ originalName: '合作协议.pdf', originalSha256: pdfImport.originalSha256, pdfSha256: pdfImport.pdfSha256, pages: pdfImport.pages });
    expect(stored.parties.map((p: any) => [p.side, p.status, p.order])).toEqual([['initiator', 'waiting', 1], ['signer', 'waiting', 2], ['signer', 'to_fill', 3]]);
    // The detail shows each signer's status, order and fields (C7 for own files).
    expect(c.signingOrder).toBe('sequential');
    expect(c.ownFile).toMatchObject({ originalName: '合作协议.pdf', pdfSha256: pdfImport.pdfSha256 });
    expect(c.parties.map((p: any) => [p.name, p.status, p.order, p.fields])).toEqual([
      [alice.name, 'waiting', 1, fields(0)], [bob.name, 'waiting', 2, fields(1)], [null, 'to_fill', 3, fields(2)],
    ]);
    const paid = await client.pay(alice.openid, c.id);
    expect(paid.order.orderId).toBeNull(); // U4: within the free monthly quota
    expect(paid.contract.state).toBe('awaiting_fill');
    await client.ok('share-open', carol.openid, { token: stored.shareToken });
    const filled = await client.ok('contract-fill', carol.openid, { contractId: c.id, name: carol.name, idNumber: carol.idNumber, phone: carol.phone });
    expect(filled.state).toBe('awaiting_signatures');
    const sign = async (p: Person) => client.call('contract-sign', p.openid, { contractId: c.id, bizToken: await client.face(p, 'sign', c.id), signature: { type: 'seal' } });
    const early = await sign(carol);
    expect(early.error).toMatchObject({ code: 'NOT_YOUR_TURN', details: { turn: [{ index: 0, name: alice.name }] } });
    expect((await sign(alice)).ok).toBe(true);
    await client.ok('share-open', bob.openid, { token: stored.shareToken });
    const third = await sign(carol);
    expect(third.error).toMatchObject({ code: 'NOT_YOUR_TURN', details: { turn: [{ index: 1, name: bob.name }] } });
    expect((await sign(bob)).ok).toBe(true);
    const last = await sign(carol);
    expect(last.data.state).toBe('signed');

    const dl = await client.ok('contract-download', alice.openid, { contractId: c.id });
    const file = writeTemp(tempDir(), 'own.pdf', await download(dl.url));
    const dataDir = (emu.container.config as any).dataDir as string;
    const nss = nssDbTrusting(JSON.parse(readFileSync(join(dataDir, 'keys', 'platform-ca.json'), 'utf8')).pems.rootCertPem);
    const sig = pdfsig(file, nss);
    // the three signers, then the document timestamp that completes the file (B-LTA, E1)
    expect(sig.signatures.map((s) => s.commonName)).toEqual([alice.name, bob.name, carol.name, '个人电子签平台时间戳服务 TSA']);
    for (const s of sig.signatures.slice(0, 3)) expect(s.signatureValidation).toBe('Signature is Valid.');
    // Each seal's red ink sits inside its signer's field on the rendered page (72 dpi: 1 px = 1 pt).
    const page = rasterize(file, 1, 72);
    const red = (x: number, y: number) => { const o = (y * page.width + x) * 3; return page.rgb[o]! > 150 && page.rgb[o + 1]! < 110 && page.rgb[o + 2]! < 110; };
    const inkIn = (x0: number, y0: number, w: number, h: number) => { let n = 0; for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) if (red(x, y)) n++; return n; };
    let total = 0;
    for (let y = 0; y < page.height; y++) for (let x = 0; x < page.width; x++) if (red(x, y)) total++;
    let inside = 0;
    for (const f of [0, 1, 2].flatMap(fields)) {
      const n = inkIn(Math.floor(f.x), Math.floor(page.height - f.y - f.height), f.width, f.height);
      expect([f, n > 200]).toEqual([f, true]);
      inside += n;
    }
    expect(inside).toBe(total);

    // C10 certificates and the verifier work for own files as for the others (C7–C12).
    const certs = await client.ok('contract-certificates', carol.openid, { contractId: c.id });
    expect(certs.certificates.map((x: any) => [x.signer, x.fieldName])).toEqual([[alice.name, 'Sig_signer1'], [bob.name, 'Sig_signer2'], [carol.name, 'Sig_signer3']]);
    const verified = await client.ok('contract-verify', bob.openid, { contractId: c.id });
    expect(verified).toMatchObject({ valid: true, auditChain: { ok: true }, document: { valid: true, matchesRecord: true, modifiedAfterLastSignature: false } });
    // The original that was signed is the imported PDF, byte for byte (its first revision).
    expect(sha(Buffer.from((await download(dl.url)).subarray(0, (await emu.container.files.get(stored.ownFile.pdfKey))!.length)))).toBe(pdfImport.pdfSha256);

    // C6: more than two signers cannot rescind; the product's advice is a new release agreement.
    const rescind = await client.call('rescind-request', bob.openid, { contractId: c.id, reason: '协商一致', bizToken: await client.face(bob, 'rescind_request', c.id) });
    expect(rescind.error).toMatchObject({ code: 'MULTI_PARTY_RESCIND_UNSUPPORTED', message: expect.stringContaining('解除协议') });
    expect((await emu.container.store.get<any>('contracts', c.id)).state).toBe('signed');
  });

  const two = (deadlineDays: number, extra: Record<string, unknown> = {}) => ({
    ...base(), title: '两方协议', deadline: new Date(emu.container.clock.now().getTime() + deadlineDays * 86_400_000).toISOString(),
    signers: [{ fillMode: 'self', fields: fields(0) }, { fillMode: 'me', name: dave.name, idNumber: dave.idNumber, phone: dave.phone, fields: fields(1) }], ...extra,
  });
  const signAs = async (p: Person, id: string) => client.call('contract-sign', p.openid, { contractId: id, bizToken: await client.face(p, 'sign', id), signature: { type: 'seal' } });

  test('C6 a two-signer own file can be rescinded', async () => {
    const c = await client.ok('contract-create', alice.openid, two(5));
    const paid = await client.pay(alice.openid, c.id);
    expect(paid.contract.state).toBe('awaiting_signatures');
    const token = (await emu.container.store.get<any>('contracts', c.id)).shareToken;
    expect((await signAs(alice, c.id)).ok).toBe(true);
    await client.ok('share-open', dave.openid, { token });
    expect((await signAs(dave, c.id)).data.state).toBe('signed');
    const r = await client.call('rescind-request', dave.openid, { contractId: c.id, reason: '协商一致', bizToken: await client.face(dave, 'rescind_request', c.id) });
    expect([r.ok, r.data?.state]).toEqual([true, 'rescind_pending']);
  });

  test('C2 the initiator\'s deadline ends it when it comes before the 30 days: expired by the timer', async () => {
    const c = await client.ok('contract-create', alice.openid, two(2));
    await client.pay(alice.openid, c.id);
    const s = await emu.container.store.get<any>('contracts', c.id);
    expect(s.expiresAt).toBe(s.ownFile.deadline);
    await client.advance(1);
    await client.timer('timer-expire');
    expect((await emu.container.store.get<any>('contracts', c.id)).state).toBe('awaiting_signatures');
    await client.advance(1);
    await client.advanceMinutes(1);
    await client.timer('timer-expire');
    expect((await emu.container.store.get<any>('contracts', c.id)).state).toBe('expired');
    expect((await signAs(alice, c.id)).error?.code).toBe('INVALID_TRANSITION');
  });

  test('C4 a reject by any signer ends it for all, with an SMS to each of the others; C3 revoke only while nobody else acted', async () => {
    const c = await client.ok('contract-create', alice.openid, { ...base(), title: '拒签测试', signingOrder: 'any' });
    // U4: alice's fourth own file this month — the three free ones are used (the tests above), so it is paid.
    const paid = await client.pay(alice.openid, c.id);
    expect(paid.order.orderId).not.toBeNull();
    expect(paid.order.amountFen).toBe(300);
    const token = (await emu.container.store.get<any>('contracts', c.id)).shareToken;
    await client.ok('share-open', carol.openid, { token });
    await client.ok('contract-fill', carol.openid, { contractId: c.id, name: carol.name, idNumber: carol.idNumber, phone: carol.phone });
    // Carol filled: the initiator can no longer revoke (C3).
    expect((await client.call('contract-revoke', alice.openid, { contractId: c.id })).error?.code).toBe('INVALID_TRANSITION');
    const before = (await client.sms()).length;
    const r = await client.call('contract-reject', carol.openid, { contractId: c.id, reason: '条款有误' });
    expect([r.ok, r.data?.state]).toEqual([true, 'rejected']);
    const sms = (await client.sms()).slice(before);
    expect(sms.map((m) => m.phone).sort()).toEqual([alice.phone, bob.phone].sort());
    expect(sms.map((m) => m.template)).toEqual(['rejected', 'rejected']);
    // each of the others is told who refused (not the initiator's name, not 对方)
    expect(sms.map((m) => m.text.split('，')[0])).toEqual([0, 1].map(() => `${carol.name}拒绝签署《拒签测试》`));

    const r2 = await client.ok('contract-create', alice.openid, { ...base(), title: '撤销测试' });
    await client.pay(alice.openid, r2.id);
    const revoked = await client.call('contract-revoke', alice.openid, { contractId: r2.id });
    expect([revoked.ok, revoked.data?.state]).toEqual([true, 'revoked']);
  });
});
