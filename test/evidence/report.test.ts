/**
 * Issue 15 item 6 (C9): the evidence report of a template contract (房屋租赁合同), as it is emailed,
 * reads right to a Chinese reader: the template's Chinese role names (房东/租客, never the keys),
 * every identity check — the parties' real-name checks and each act's face check — with its method,
 * the provider's reference in full, time and result; the platform root's SHA-256 fingerprint and
 * how to verify (pdfsig with NSS, npm run verify, esign-verify); the hashes of the original and the
 * final file; the chain head and its anchor (待锚定 until the anchoring timer has run); every time in
 * Asia/Shanghai with +08:00; 合同编号 only ever followed by the contract number.
 * The pages are also rasterised (pdftoppm) to /tmp/esign-report-pages/ for a person to look at.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Contract } from '../../shared/domain/contract';
import type { User } from '../../shared/identity/users';
import type { ContractEvent } from '../../shared/domain/events';
import { kindSpec } from '../../shared/kinds/registry';
import { fingerprintHex, pemToDer } from '../../shared/documents/x509';
import { nssDbTrusting, pdfsig, pdftotext, requireTools, run, tempDir, writeTemp } from '../documents/tools';
import { Client, person, startTestEmulator, type Person } from '../support/emulator';
import type { Emulator } from '../../emulator/server';

jest.setTimeout(120_000);

let emu: Emulator;
let client: Client;
let dataDir: string;
let contract: Contract;
let headAtReport: { seq: number; hash: string };
let reportNo: string;
let file: string;
let text: string;
const tokens: Record<string, string> = {};

const landlord = person('o-rp-landlord', '赵建华', 52);
const tenant = person('o-rp-tenant', '孙丽娟', 29);

beforeAll(async () => {
  requireTools();
  ({ emu, client, dir: dataDir } = await startTestEmulator('evidence-report'));
  await client.advanceToChinaHour(10);
  for (const p of [landlord, tenant]) await client.verify(p);
  const spec = kindSpec('house_rental');
  const v = await client.ok('contract-create', landlord.openid, {
    kind: 'house_rental', myRole: 'landlord', counterparty: { fillMode: 'me', name: tenant.name, idNumber: tenant.idNumber, phone: tenant.phone }, form: structuredClone(spec.example),
  });
  await client.pay(landlord.openid, v.id);
  await client.ok('share-open', tenant.openid, { token: v.shareToken });
  const sign = async (p: Person, key: string) => {
    tokens[key] = await client.face(p, 'sign', v.id);
    await client.ok('contract-sign', p.openid, { contractId: v.id, bizToken: tokens[key], signature: { type: 'seal' } });
  };
  await sign(tenant, 'tenantSign');
  await sign(landlord, 'landlordSign');
  const quote = await client.ok('fee-quote', landlord.openid, { item: 'evidence_report', contractId: v.id });
  const r = await client.ok('evidence-report-request', landlord.openid, { contractId: v.id, email: 'zhao@example.com', quotedAmountFen: quote.amountFen });
  if (!r.paid) await client.payOrder(r.orderId);
  const mail = (await client.raw('GET', '/outbox/email?to=zhao@example.com')).json.messages;
  expect(mail).toHaveLength(1);
  const url: string = mail[0].attachments[0].url;
  file = writeTemp(tempDir('esign-report-'), 'report.pdf', Buffer.from(await (await fetch(`${emu.url}${url}`)).arrayBuffer()));
  contract = (await emu.container.store.get<Contract>('contracts', v.id))!;
  const evs = await emu.container.store.find<ContractEvent>('events', { contractId: v.id }, { orderBy: [['seq', 'asc']] });
  expect(evs.at(-1)!.type).toBe('report_sent');
  headAtReport = { seq: evs.at(-2)!.seq, hash: evs.at(-2)!.hash };
  reportNo = /报告编号：(BG[0-9A-Z]+)/.exec(pdftotext(file, 1))![1]!;
  // Content-stream order keeps a wrapped table cell in one piece; whitespace (line breaks inside long values) removed.
  text = pdftotext(file, undefined, 'raw').replace(/\s/g, '');
  // For a person to look at (the "reads right" half of the check).
  const pages = '/tmp/esign-report-pages';
  fs.rmSync(pages, { recursive: true, force: true });
  fs.mkdirSync(pages, { recursive: true });
  run('pdftoppm', ['-r', '80', '-png', file, path.join(pages, 'report')]);
}, 180_000);
afterAll(() => emu?.close());

test('the report is the platform’s valid, trusted signature (pdfsig with only the root trusted)', () => {
  const root = JSON.parse(fs.readFileSync(path.join(dataDir, 'keys', 'platform-ca.json'), 'utf8')).pems.rootCertPem;
  const sig = pdfsig(file, nssDbTrusting(root));
  expect(sig.signatures.map((s) => [s.commonName, s.signatureValidation, s.certificateValidation])).toEqual([['电子签平台', 'Signature is Valid.', 'Certificate is Trusted.']]);
});

test('the template’s Chinese role names, never its keys', () => {
  expect(text).toContain(`房东${landlord.name}`);
  expect(text).toContain(`租客${tenant.name}`);
  expect(text).not.toMatch(/landlord|tenant/);
});

test('every identity check: the two real-name checks and the two signing checks, method, full provider reference, time (+08:00), result', async () => {
  const realname = await Promise.all([landlord, tenant].map(async (p) => (await emu.container.store.get<User>('users', p.openid))!.realName!.faceCheckId));
  const refs = [...realname, tokens.tenantSign!, tokens.landlordSign!];
  for (const ref of refs) {
    expect(ref.length).toBeGreaterThan(12);
    expect(text).toContain(ref);
  }
  expect(text).not.toContain('…');
  expect(text).toContain('身份核验记录');
  expect(text).toContain('人脸核身：活体检测并与公安机关身份信息比对');
  expect(text).toContain(`1${landlord.name}实名认证人脸核身${realname[0]}`);
  expect(text).toContain(`2${tenant.name}实名认证人脸核身${realname[1]}`);
  expect(text).toContain(`3${tenant.name}签署人脸核身${tokens.tenantSign}`);
  expect(text).toContain(`4${landlord.name}签署人脸核身${tokens.landlordSign}`);
  // Each row: ref, then its time with the offset, then 通过.
  for (const ref of refs) expect(text).toMatch(new RegExp(`${ref}\\d{4}-\\d{2}-\\d{2}\\d{2}:\\d{2}:\\d{2}\\+08:00通过`));
});

test('the root’s fingerprint and how to verify: pdfsig with NSS (certutil), npm run verify, esign-verify', () => {
  const root = JSON.parse(fs.readFileSync(path.join(dataDir, 'keys', 'platform-ca.json'), 'utf8')).pems.rootCertPem;
  const fp = fingerprintHex(pemToDer(root)).toUpperCase().match(/../g)!.join(':');
  expect(text).toContain(`平台根证书SHA-256指纹${fp}`);
  for (const s of ['certutil-N', 'pdfsig-nssdir', 'SignatureisValid', 'CertificateisTrusted', 'npmrunverify', '--root-sha256', 'npxesign-verify', 'opensslts-verify']) expect(text).toContain(s);
});

test('the hashes of the original and the final file, in full; the chain head and its anchor (pending)', () => {
  expect(text).toContain(`原始文件SHA-256${contract.document!.originalSha256}`);
  expect(text).toContain(`最终文件SHA-256${contract.document!.currentSha256}`);
  // The head when the report was made: the report_sent event that follows it is not in it.
  expect(contract.eventHead.seq).toBe(headAtReport.seq + 1);
  expect(text).toContain(`链头序号${headAtReport.seq}`);
  expect(text).toContain(`链头哈希${headAtReport.hash}`);
  expect(text).toContain('时间锚定待锚定（anchor:pending）');
  expect(text).toContain('哈希链完整');
});

test('times: Asia/Shanghai with +08:00 everywhere, no UTC, no ISO Z times', () => {
  const times = text.match(/\d{4}-\d{2}-\d{2}\d{2}:\d{2}:\d{2}(\+08:00)?/g)!;
  expect(times.length).toBeGreaterThan(8);
  expect(times.filter((t) => !t.endsWith('+08:00'))).toEqual([]);
  expect(text).not.toMatch(/UTC|\d{2}:\d{2}:\d{2}(\.\d+)?Z/);
  // The signing time shown is the stored one, in China time.
  const signedAt = new Date(Date.parse(contract.parties[0]!.signature!.at) + 8 * 3_600_000).toISOString().replace('T', '').slice(0, 18);
  expect(text).toContain(`${signedAt}+08:00`);
});

test('合同编号 labels the contract number only; the report’s own number is 报告编号 (title line and every footer)', () => {
  const labelled = [...text.matchAll(/合同编号：?([A-Z0-9]+)/g)].map((m) => m[1]!.slice(0, contract.contractNo.length));
  expect(labelled.length).toBeGreaterThan(0);
  expect(new Set(labelled)).toEqual(new Set([contract.contractNo]));
  const pages = Number(/共(\d+)页/.exec(text)![1]);
  expect(text.match(new RegExp(`报告编号：${reportNo}`, 'g'))!.length).toBe(pages + 1);
});
