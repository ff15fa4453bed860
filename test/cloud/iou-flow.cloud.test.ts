/**
 * The foundation's IOU story (test/e2e/iou-flow.test.ts), unchanged, on ESIGN_PROVIDER=cloud: the
 * emulator's HTTP surface over the production adapters — CloudBase database and storage through
 * @cloudbase/node-sdk, FaceID and SMS through tencentcloud-sdk-nodejs, WeChat Pay through our
 * client, the issuing CA's signatures through KMS — each talking to a local server that speaks
 * the provider's protocol and checks its signatures (test/fakes), and a WeChat Pay simulator. The caller reaches the functions as
 * CloudBase passes it (WX_OPENID in the function context).
 */
import { cloudEmulations } from '../support/emulator';

process.env.ESIGN_E2E_PROVIDER = 'cloud';
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../e2e/iou-flow.test');

describe('…and all of it went through the provider protocols', () => {
  test('the contracts, events and face checks are in the CloudBase database; PDFs in its storage; checks at FaceID; SMS at the SMS service; the order at WeChat Pay', () => {
    expect(cloudEmulations).toHaveLength(1);
    const { fakes, payments } = cloudEmulations[0]!;
    const contracts = fakes.db.find('contracts', {});
    expect(contracts.length).toBe(2);
    expect(fakes.db.count('events', {})).toBeGreaterThanOrEqual(9);
    expect(fakes.db.count('face_checks', {})).toBe(fakes.faceid.issued);
    expect(fakes.faceid.issued).toBeGreaterThanOrEqual(10);
    expect(fakes.sms.sent.map((m) => m.phone).every((p) => /^\+861\d{10}$/.test(p))).toBe(true);
    expect(fakes.sms.sent.length).toBeGreaterThanOrEqual(6);
    const paid = contracts.map((c) => (c as { payment: { orderId: string } }).payment.orderId).map((o) => payments.getOrder(o));
    expect(paid.map((o) => o?.tradeState)).toEqual(['SUCCESS', 'SUCCESS']);
    const pdfs = contracts.map((c) => (c as { document: { currentKey: string } | null }).document?.currentKey).filter(Boolean) as string[];
    expect(pdfs.length).toBe(2);
    for (const key of pdfs) expect(fakes.cloudbase.storage.content(key)?.subarray(0, 5).toString()).toBe('%PDF-');
    // C10: every certificate and CRL of the issuing CA was signed by KMS, and no function read the key from SSM (it is not there).
    expect(fakes.kms.signed.length).toBeGreaterThanOrEqual(4);
    expect(fakes.kms.signed.every((s) => s.messageType === 'DIGEST' && s.message.length === 32)).toBe(true);
    expect(fakes.ssm.reads.filter((n) => n.endsWith('ca-issuing-key'))).toEqual([]);
    expect(fakes.ssm.reads.some((n) => n.endsWith('ca-issuing-cert'))).toBe(true);
  });
});
