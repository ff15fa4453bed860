import { writeFileSync } from 'node:fs';
import { LocalTsa } from '../shared/adapters/local/tsa';
import { MovableClock } from '../shared/adapters/local/clock';
import { generatePlatformCa, loadPlatformCa, issueSignerCertificate } from '../shared/documents/ca';
import { renderIou } from '../shared/documents/iou-document';
import { createPersonalSeal } from '../shared/documents/seal';
import { signPdf, timestampPdf } from '../shared/documents/sign';
import { sampleIou } from '../test/documents/fixtures';
(async () => {
  const pems = generatePlatformCa(); const ca = loadPlatformCa(pems);
  const tsa = await LocalTsa.forPlatformCa(ca, new MovableClock());
  const r = await renderIou(sampleIou());
  let bytes = r.bytes;
  for (const [i, name] of [[0, '张三'], [1, '李小明']] as const) {
    const area = r.signatureAreas[i]!;
    const cert = await issueSignerCertificate(ca, { name, identifier: 'A'.repeat(32), signingTime: new Date() });
    bytes = (await signPdf(bytes, { fieldName: area.fieldName, placement: area, signer: cert, reason: '签署', signingTime: new Date(), appearance: { kind: 'vector', drawing: createPersonalSeal(name) }, tsa })).bytes;
  }
  bytes = (await timestampPdf(bytes, { tsa, fieldName: 'DocTimeStamp_1' })).bytes;
  writeFileSync('/tmp/p/lta.pdf', bytes); writeFileSync('/tmp/p/root.pem', pems.rootCertPem); writeFileSync('/tmp/p/tsa.pem', tsa.certificatePem + pems.issuingCertPem);
})();
