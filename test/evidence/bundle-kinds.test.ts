/**
 * E3 the evidence bundle of an own file (U1) through the emulator, signed by two and then
 * rescinded: the bundle carries the upload as it came (originals/1.pdf) beside the prepared PDF,
 * and esign-verify passes it — the rescinded PDF being the one the last event names; the signed
 * one swapped in is refused as an earlier revision.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import type { Contract } from '../../shared/domain/contract';
import { fingerprintHex, pemToDer } from '../../shared/documents/x509';
import { verifyBundle } from '../../shared/evidence/bundle-verify';
import type { BundleManifest } from '../../shared/evidence/bundle-format';
import type { Emulator } from '../../emulator/server';
import { Client, person, startTestEmulator, type Person } from '../support/emulator';
import { signingKeys } from '../../shared/contracts/signing-keys';
import { makePdf } from '../files/make-files';

let emu: Emulator;
let client: Client;
let rootFp: string;
const alice = person('o-ek-alice', '林晓', 35);
const dave = person('o-ek-dave', '韩第四', 50);

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
// Local links are paths on the emulator; on the cloud provider they are the storage's own URLs.
const fetchBytes = async (url: string) => Buffer.from(await (await fetch(/^https?:/.test(url) ? url : `${emu.url}${url}`)).arrayBuffer());
const upload = async (p: Person, name: string, bytes: Uint8Array): Promise<string> => {
  const res = await fetch(`${emu.url}/_emulator/storage/upload?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'x-openid': p.openid, 'content-type': 'application/octet-stream' }, body: bytes });
  return ((await res.json()) as { fileID: string }).fileID;
};
const signAs = async (p: Person, id: string) => client.ok('contract-sign', p.openid, { contractId: id, bizToken: await client.face(p, 'sign', id), signature: { type: 'seal' } });
const bundleOf = async (p: Person, id: string) => fetchBytes((await client.ok('contract-evidence', p.openid, { contractId: id })).url);

beforeAll(async () => {
  let dir: string;
  ({ emu, client, dir } = await startTestEmulator('evidence-kinds'));
  // The root as the backend holds it (the data dir locally, SSM on ESIGN_E2E_PROVIDER=cloud).
  rootFp = fingerprintHex(pemToDer((await signingKeys(emu.container)).ca.rootPem));
  for (const p of [alice, dave]) await client.verify(p);
}, 60_000);
afterAll(() => emu.close());

test('an own file signed by two, then rescinded: both bundles pass; the upload travels as it came; the signed PDF in the rescinded bundle is an earlier revision', async () => {
  const upload1 = await makePdf(2);
  const imported = await client.ok('file-import', alice.openid, { fileID: await upload(alice, '合作协议.pdf', upload1), name: '合作协议.pdf' });
  const c = await client.ok('contract-create', alice.openid, {
    kind: 'own_file', fileId: imported.fileId, title: '两方协议', noticeAccepted: true,
    deadline: new Date(emu.container.clock.now().getTime() + 5 * 86_400_000).toISOString(),
    signers: [
      { fillMode: 'self', fields: [{ page: 1, x: 60, y: 120, width: 120, height: 120 }] },
      { fillMode: 'me', name: dave.name, idNumber: dave.idNumber, phone: dave.phone, fields: [{ page: 1, x: 230, y: 120, width: 120, height: 120 }] },
    ],
  });
  await client.pay(alice.openid, c.id);
  const token = (await emu.container.store.get<Contract>('contracts', c.id))!.shareToken;
  await signAs(alice, c.id);
  await client.ok('share-open', dave.openid, { token });
  expect((await signAs(dave, c.id)).state).toBe('signed');
  await client.advanceMinutes(2);
  expect((await client.timer('timer-anchor')).data.anchored).toBe(1);

  const signed = await bundleOf(dave, c.id);
  const files = unzipSync(signed);
  // The upload byte for byte, under a name of ours; the prepared PDF the signatures were made on.
  expect(sha(files['originals/1.pdf']!)).toBe(sha(upload1));
  expect(sha(files['original.pdf']!)).toBe(imported.pdfSha256);
  const r1 = await verifyBundle(signed, { rootFingerprint: rootFp });
  expect(r1.checks.filter((x) => !x.ok)).toEqual([]);

  await client.ok('rescind-request', dave.openid, { contractId: c.id, reason: '协商一致', bizToken: await client.face(dave, 'rescind_request', c.id) });
  expect((await client.ok('rescind-confirm', alice.openid, { contractId: c.id, bizToken: await client.face(alice, 'rescind_confirm', c.id) })).state).toBe('rescinded');
  await client.advanceMinutes(2);
  expect((await client.timer('timer-anchor')).data.anchored).toBe(1);
  const rescinded = await bundleOf(alice, c.id);
  const r2 = await verifyBundle(rescinded, { rootFingerprint: rootFp });
  expect(r2.checks.filter((x) => !x.ok)).toEqual([]);

  // The signed PDF (valid on its own, B-LTA) in place of the rescinded one, manifest re-hashed.
  const f2: Record<string, Uint8Array> = { ...unzipSync(rescinded), 'contract.pdf': files['contract.pdf']! };
  const manifest = JSON.parse(Buffer.from(f2['manifest.json']!).toString()) as BundleManifest;
  manifest.files = manifest.files.map((m) => ({ ...m, sha256: sha(f2[m.name]!), size: f2[m.name]!.length }));
  const swapped = await verifyBundle(zipSync({ ...f2, 'manifest.json': Buffer.from(JSON.stringify(manifest)) }), { rootFingerprint: rootFp });
  expect(swapped.checks.filter((x) => !x.ok).map((x) => x.id)).toEqual(['final-document']);
}, 180_000);
