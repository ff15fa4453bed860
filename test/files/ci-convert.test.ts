/**
 * U1: the production converter (数据万象 doc-preview → PDF) against a local server that checks
 * the COS signature from scratch: the document comes back as a PDF; a document CI cannot open is
 * FILE_UNREADABLE; wrong keys or no keys are PROVIDER_ERROR with CI's code.
 */
import { CiDocumentConverter } from '../../shared/adapters/tencentcloud/ci-convert';
import { pdfInfo } from '../../shared/documents/file-type';
import { startCiFake, type CiFake } from '../fakes/tencentcloud/ci';
import { makeDocx } from './make-files';

const now = new Date('2026-12-01T08:00:00Z');
const clock = { now: () => now };
let fake: CiFake;
beforeAll(async () => { fake = await startCiFake({ secretId: 'AKIDtest', secretKey: 'sk-test', token: 'tok', nowSeconds: () => Math.floor(now.getTime() / 1000) }); });
afterAll(() => fake.close());

const converter = (secretKey = 'sk-test', token: string | null = 'tok') =>
  new CiDocumentConverter({ bucket: '7465-env-1250000000', region: 'ap-shanghai', endpoint: fake.url, credentials: () => ({ secretId: 'AKIDtest', secretKey, ...(token ? { token } : {}) }) }, clock);

describe('U1 数据万象 document conversion', () => {
  test('U1 the stored original is converted by a signed GET ?ci-process=doc-preview&dstType=pdf', async () => {
    const docx = Buffer.from(makeDocx(['a', 'b', 'c']));
    fake.objects.set('owned/f_1/original.docx', docx);
    const pdf = await converter().toPdf({ bytes: docx, type: 'docx', storageKey: 'owned/f_1/original.docx' });
    expect((await pdfInfo(pdf)).pages).toHaveLength(3);
    expect(fake.requests.at(-1)).toEqual({ key: 'owned/f_1/original.docx', query: '?ci-process=doc-preview&dstType=pdf', authorized: true });
  });

  test('U1 refusals: a document CI cannot open → FILE_UNREADABLE; a wrong key or missing token → PROVIDER_ERROR naming CI\'s code', async () => {
    fake.objects.set('owned/f_2/original.docx', Buffer.from('not a document'));
    await expect(converter().toPdf({ bytes: Buffer.alloc(0), type: 'docx', storageKey: 'owned/f_2/original.docx' })).rejects.toMatchObject({ code: 'FILE_UNREADABLE', details: { providerCode: 'InvalidDocument' } });
    await expect(converter('wrong').toPdf({ bytes: Buffer.alloc(0), type: 'docx', storageKey: 'owned/f_1/original.docx' })).rejects.toMatchObject({ code: 'PROVIDER_ERROR', details: { provider: 'ci', providerCode: 'SignatureDoesNotMatch' } });
    await expect(converter('sk-test', null).toPdf({ bytes: Buffer.alloc(0), type: 'docx', storageKey: 'owned/f_1/original.docx' })).rejects.toMatchObject({ code: 'PROVIDER_ERROR', details: { providerCode: 'InvalidToken' } });
    await expect(converter().toPdf({ bytes: Buffer.alloc(0), type: 'docx', storageKey: 'owned/none.docx' })).rejects.toMatchObject({ code: 'PROVIDER_ERROR', details: { providerCode: 'NoSuchKey' } });
  });
});
