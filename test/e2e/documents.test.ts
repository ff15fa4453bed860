/**
 * The contract's documents over the emulator (SPEC T4, C5, C8, C9, C10, C12, A5, N2): the signed
 * IOU verifies with poppler's pdfsig (two valid signatures named after the signers, whole document
 * signed) and qpdf, its text carries the parties, the amount and its 大写; the certificate view,
 * our verifier, download links, email and the evidence report; tampering is caught.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Contract } from '../../shared/domain/contract';
import type { Order } from '../../shared/payments/orders';
import { padesFindings } from '../documents/pades-checks';
import { formatYuan, toCapital } from '../../shared/rules/money';
import { Client, iouForm, person, startTestEmulator } from '../support/emulator';
import type { Emulator } from '../../emulator/server';
import { nssDbTrusting, pdfsig, pdftotext, qpdfCheck, rasterize, requireTools, tempDir, writeTemp } from '../documents/tools';

let emu: Emulator;
let client: Client;
let dataDir: string;
let nss: string;
const lender = person('o-dl', '王建国', 48);
const borrower = person('o-db', '刘晓梅', 31);
let id: string;

const stored = async () => (await emu.container.store.get<Contract>('contracts', id))!;
const fetchBytes = async (url: string) => Buffer.from(await (await fetch(`${emu.url}${url}`)).arrayBuffer());

beforeAll(async () => {
  requireTools();
  ({ emu, client, dir: dataDir } = await startTestEmulator('documents'));
  await client.verify(lender);
  await client.verify(borrower);
  const v = await client.ok('contract-create', lender.openid, {
    kind: 'iou', myRole: 'lender', counterparty: { fillMode: 'me', name: borrower.name, idNumber: borrower.idNumber, phone: borrower.phone },
    form: iouForm(client.today(), { amountFen: 600_714, repaymentPlan: [{ dueDate: iouForm(client.today()).repayDate, principalFen: 600_714 }] }),
  });
  id = v.id;
  await client.pay(lender.openid, id);
  await client.ok('share-open', borrower.openid, { token: v.shareToken });
}, 60_000);
afterAll(() => emu.close());

test('T4 before anyone signs, download gives a preview of the contract as filled', async () => {
  const dl = await client.ok('contract-download', lender.openid, { contractId: id });
  expect(dl.preview).toBe(true);
  const text = pdftotext(writeTemp(tempDir(), 'preview.pdf', await fetchBytes(dl.url)));
  expect(text.replace(/\s/g, '')).toContain('陆仟零柒元壹角肆分');
  expect((await client.call('contract-email', lender.openid, { contractId: id, email: 'a@example.com' })).error?.code).toBe('INVALID_TRANSITION');
  // Issue 15 item 6: a preview carries a 预览 mark (red, translucent, mid-page) and no signature.
  const reddish = (file: string) => {
    const png = rasterize(file, 1, 36);
    let n = 0;
    for (let i = 0; i < png.rgb.length; i += 3) if (png.rgb[i]! - png.rgb[i + 1]! > 25 && png.rgb[i]! - png.rgb[i + 2]! > 25) n++;
    return n;
  };
  const previewFile = writeTemp(tempDir(), 'preview-mark.pdf', await fetchBytes(dl.url));
  expect(reddish(previewFile)).toBeGreaterThan(500);
  expect(pdfsig(previewFile, nssDbTrusting(JSON.parse(fs.readFileSync(path.join(dataDir, 'keys', 'platform-ca.json'), 'utf8')).pems.rootCertPem)).signatures).toEqual([]);
});

test('C5/A5 both sign (seal, handwritten); the final PDF verifies with pdfsig and qpdf and reads right', async () => {
  await client.ok('contract-sign', lender.openid, { contractId: id, bizToken: await client.face(lender, 'sign', id), signature: { type: 'seal' } });
  const { handwrittenPng } = await import('../documents/png');
  const { ref } = await client.ok('signature-upload', borrower.openid, { pngBase64: handwrittenPng().toString('base64') });
  // E1: the TSA down refuses the act with a retryable provider error — no signature on a local clock, nothing committed, the face check kept.
  const bizToken = await client.face(borrower, 'sign', id);
  await client.raw('POST', '/_emulator/faults', { tsa: true });
  const down = await client.call('contract-sign', borrower.openid, { contractId: id, bizToken, signature: { type: 'handwritten', ref } });
  expect(down.error).toMatchObject({ code: 'PROVIDER_ERROR', details: { provider: 'tsa', providerCode: 'UNREACHABLE' } });
  expect((await stored()).state).toBe('awaiting_signatures');
  expect((await stored()).document!.signatures).toHaveLength(1);
  await client.raw('POST', '/_emulator/faults', { tsa: false });
  await client.ok('contract-sign', borrower.openid, { contractId: id, bizToken, signature: { type: 'handwritten', ref } });

  const c = await stored();
  expect(c.document!.signatures.map((s) => s.by)).toEqual(['initiator', 'counterparty']);
  expect(c.document!.signedKey).toBe(c.document!.currentKey);
  const dl = await client.ok('contract-download', borrower.openid, { contractId: id });
  expect(dl.preview).toBe(false);
  const bytes = await fetchBytes(dl.url);
  expect(dl.sha256).toBe(c.document!.currentSha256);
  const file = writeTemp(tempDir(), 'signed.pdf', bytes);
  const root = JSON.parse(fs.readFileSync(path.join(dataDir, 'keys', 'platform-ca.json'), 'utf8')).pems.rootCertPem;
  nss = nssDbTrusting(root);
  const sig = pdfsig(file, nss);
  expect(sig.signatures.at(-1)!.totalDocumentSigned).toBe(true);
  // E1: PAdES B-LTA — each party ETSI.CAdES.detached with a signature timestamp, then DSS and a document timestamp.
  const pades = await padesFindings(bytes, root, nss);
  expect(pades).toMatchObject({ signers: ['王建国', '刘晓梅'], signatureTypes: ['ETSI.CAdES.detached', 'ETSI.CAdES.detached'], allValidAndTrusted: true, lastType: 'ETSI.RFC3161', lastCoversAll: true, qpdfOk: true });
  expect(pades.tokens.map((t) => [t.field, t.kind, t.status])).toEqual([['Sig_lender', 'signature', 0], ['Sig_borrower', 'signature', 0], ['DocTimeStamp_1', 'document', 0]]);
  expect(pades.dss!.certificates).toBeGreaterThanOrEqual(5); // root, issuing, two signers, the TSA
  expect(pades.dss!.crls).toBeGreaterThanOrEqual(1);
  expect(c.document!.signatures.map((s) => s.longTerm?.fieldName ?? null)).toEqual([null, 'DocTimeStamp_1']);
  const text = pdftotext(file).replace(/\s/g, '');
  for (const s of ['王建国', '刘晓梅', '¥6,007.14', '陆仟零柒元壹角肆分']) expect(text).toContain(s);
  expect(text).not.toContain(lender.idNumber);
  expect(text).not.toContain(borrower.phone);
});

test('C12 a download link expires and cannot be forged', async () => {
  const dl = await client.ok('contract-download', lender.openid, { contractId: id });
  expect((await fetch(`${emu.url}${dl.url.replace(/sig=[^&]+/, 'sig=forged')}`)).status).toBe(403);
  await client.raw('POST', '/_emulator/clock', { advanceMinutes: 11 });
  expect((await fetch(`${emu.url}${dl.url}`)).status).toBe(410);
});

test('C10 the certificate view: subject, issuer, serial, validity, fingerprint per signature', async () => {
  const r = await client.ok('contract-certificates', borrower.openid, { contractId: id });
  expect(r.certificates).toHaveLength(2);
  expect(r.certificates[0]).toMatchObject({ signer: '王建国', role: 'initiator', fieldName: 'Sig_lender' });
  for (const cert of r.certificates) {
    expect(cert.subject).toContain(`CN=${cert.signer}`);
    expect(cert.subject).not.toContain(lender.idNumber);
    expect(cert.issuer).toMatch(/CN=/);
    expect(cert.serialNumber).toMatch(/^[0-9A-F]+$/i);
    expect(Date.parse(cert.validTo)).toBeGreaterThan(Date.parse(cert.validFrom));
    expect(cert.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  }
});

test('our verifier: valid as stored; a flipped byte in the stored file is reported', async () => {
  const ok = await client.ok('contract-verify', lender.openid, { contractId: id });
  expect(ok).toMatchObject({ valid: true, auditChain: { ok: true }, document: { valid: true, matchesRecord: true, modifiedAfterLastSignature: false } });
  expect(ok.document.signatures.map((s: { signerName: string; kind: string }) => [s.kind, s.signerName])).toEqual([['signature', '王建国'], ['signature', '刘晓梅'], ['document-timestamp', 'C=CN, O=个人电子签平台, CN=个人电子签平台时间戳服务 TSA']]);
  expect(ok.level).toBe('B-LTA');
  const c = await stored();
  const key = c.document!.currentKey;
  const original = (await emu.container.files.get(key))!;
  const tampered = Buffer.from(original);
  tampered[2000] = tampered[2000]! ^ 0x01;
  await emu.container.files.put(key, tampered, 'application/pdf');
  const bad = await client.ok('contract-verify', lender.openid, { contractId: id });
  expect(bad.valid).toBe(false);
  expect(bad.document.matchesRecord).toBe(false);
  await emu.container.files.put(key, original, 'application/pdf');
});

test('C8/N2 email the signed PDF: the outbox holds it, byte for byte', async () => {
  await client.ok('contract-email', borrower.openid, { contractId: id, email: 'liu@example.com' });
  const mail = (await client.raw('GET', '/outbox/email?to=liu@example.com')).json.messages;
  expect(mail).toHaveLength(1);
  expect(mail[0].subject).toContain('已生效');
  expect(mail[0].attachments[0]).toMatchObject({ contentType: 'application/pdf', filename: expect.stringMatching(/^借条-JT\d+.*\.pdf$/) });
  const att = await fetchBytes(mail[0].attachments[0].url);
  expect(att.equals((await emu.container.files.get((await stored()).document!.currentKey))!)).toBe(true);
});

test('A4/C8: with no address typed, the PDF goes to the address bound by email-change; with none bound, VALIDATION_FAILED', async () => {
  expect((await client.call('contract-email', borrower.openid, { contractId: id })).error?.code).toBe('VALIDATION_FAILED');
  const to = 'bound.borrower@example.com';
  await client.ok('verification-code-send', borrower.openid, { channel: 'email', purpose: 'email_change', destination: to });
  const codeMail = (await client.raw('GET', `/outbox/email?to=${to}`)).json.messages[0];
  await client.ok('email-change', borrower.openid, { email: to, code: /验证码为(\d{6})/.exec(codeMail.text)![1] });
  const sent = await client.ok('contract-email', borrower.openid, { contractId: id });
  expect(sent.to).toBe(to);
  const mails = (await client.raw('GET', `/outbox/email?to=${to}`)).json.messages;
  expect(mails).toHaveLength(2);
  expect(mails[1].attachments[0].contentType).toBe('application/pdf');
});

test('C9/F3 the evidence report: paid (990 fen for an IOU), then emailed, platform-signed, with hashes, events and certificates; an SMS says so', async () => {
  const ordered = await client.ok('evidence-report-request', lender.openid, { contractId: id, email: 'wang@example.com', quotedAmountFen: 990 });
  expect(ordered).toMatchObject({ paid: false, amountFen: 990, reportNo: null });
  expect((await client.raw('GET', '/outbox/email?to=wang@example.com')).json.messages).toHaveLength(0);
  expect((await client.payOrder(ordered.orderId)).json.deliveries).toEqual([{ status: 204, body: '' }]);
  // The webhook only queued it (issue 16 item 4): the outbox worker builds, signs and emails it.
  expect((await client.raw('GET', '/outbox/email?to=wang@example.com')).json.messages).toHaveLength(0);
  await client.timer('timer-outbox');
  const r = (await emu.container.store.get<Order>('orders', ordered.orderId))!.report!;
  expect(r.status).toBe('sent');
  const mail = (await client.raw('GET', '/outbox/email?to=wang@example.com')).json.messages;
  expect(mail).toHaveLength(1);
  expect(mail[0].attachments[0].filename).toContain('report');
  const file = writeTemp(tempDir(), 'report.pdf', await fetchBytes(mail[0].attachments[0].url));
  const sig = pdfsig(file, nss);
  expect(sig.signatures).toHaveLength(1);
  expect(sig.signatures[0]).toMatchObject({ commonName: '电子签平台', signatureValidation: 'Signature is Valid.', certificateValidation: 'Certificate is Trusted.' });
  const text = pdftotext(file).replace(/\s/g, '');
  const c = await stored();
  expect(text).toContain(c.contractNo);
  expect(text).toContain(r.reportNo);
  expect(text).toContain(c.document!.originalSha256.slice(0, 16));
  expect(text).toContain(c.document!.currentSha256.slice(0, 16));
  for (const s of ['签署', '人脸核身通过', '哈希链完整', '王建国', '刘晓梅', '出借人', '借款人']) expect(text).toContain(s);
  expect(text).not.toContain(lender.idNumber);
  const sms = await client.sms(lender.phone);
  expect(sms.at(-1)).toMatchObject({ template: 'report_sent' });
  expect(sms.at(-1)!.text).toBe(`您申请的《${c.title}》出证报告已发送至您填写的邮箱，请注意查收。`);
});

test('I9/C8 settled: the requester and the confirmer sign their acts, the platform stamps beside them; all five signatures stay valid', async () => {
  await client.ok('settle-request', borrower.openid, { contractId: id, reason: '已还清', bizToken: await client.face(borrower, 'settle_request', id) });
  await client.ok('settle-confirm', lender.openid, { contractId: id, bizToken: await client.face(lender, 'settle_confirm', id) });
  const c = await stored();
  // Issue 15 item 5: the borrower asked, the lender confirmed — each with their own certificate.
  expect(c.document!.signatures.map((s) => [s.by, s.fieldName])).toEqual([
    ['initiator', 'Sig_lender'], ['counterparty', 'Sig_borrower'], ['counterparty', 'Sig_settle_request_borrower'], ['initiator', 'Sig_settle_confirm_lender'], ['platform', 'Sig_platform_settled'],
  ]);
  expect(c.document!.signatures.slice(2, 4).map((s) => s.certificate.subject.match(/CN=([^,]+)/)?.[1])).toEqual(['刘晓梅', '王建国']);
  expect(c.document!.signedKey).not.toBe(c.document!.currentKey);
  await client.ok('contract-email', borrower.openid, { contractId: id, email: 'settled@example.com' });
  const mail = (await client.raw('GET', '/outbox/email?to=settled@example.com')).json.messages;
  expect(mail[0].subject).toContain('已结清');
  const file = writeTemp(tempDir(), 'settled.pdf', await fetchBytes(mail[0].attachments[0].url));
  const sig = pdfsig(file, nss);
  const root = JSON.parse(fs.readFileSync(path.join(dataDir, 'keys', 'platform-ca.json'), 'utf8')).pems.rootCertPem;
  const pades = await padesFindings(fs.readFileSync(file), root, nss);
  expect(pades).toMatchObject({ signers: ['王建国', '刘晓梅', '刘晓梅', '王建国', '电子签平台'], signatureTypes: Array(5).fill('ETSI.CAdES.detached'), allValidAndTrusted: true, lastType: 'ETSI.RFC3161', lastCoversAll: true, qpdfOk: true });
  expect(pades.tokens.map((t) => [t.field, t.status])).toEqual([
    ['Sig_lender', 0], ['Sig_borrower', 0], ['DocTimeStamp_1', 0], ['Sig_settle_request_borrower', 0], ['Sig_settle_confirm_lender', 0], ['Sig_platform_settled', 0], ['DocTimeStamp_2', 0],
  ]);
  expect(pades.dss!.crls).toBeGreaterThanOrEqual(1);
  expect((await client.ok('contract-verify', lender.openid, { contractId: id })).valid).toBe(true);
});
