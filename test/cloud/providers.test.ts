/**
 * FaceID, SMS, SES and CloudBase storage adapters, each through its real SDK against the local
 * protocol servers (TC3-HMAC-SHA256 verified, documented answer and error shapes): the happy path,
 * the provider's own refusals, throttling, and a wrong key.
 */
import { createCloudBaseApp } from '../../shared/adapters/cloudbase/app';
import { CloudBaseFiles, type StorageApp } from '../../shared/adapters/cloudbase/files';
import { CloudBaseStore, type Database } from '../../shared/adapters/cloudbase/store';
import type { TencentApiSettings } from '../../shared/adapters/tencentcloud/client-options';
import { FaceIdVerifier } from '../../shared/adapters/tencentcloud/faceid';
import { SesMailer } from '../../shared/adapters/tencentcloud/ses';
import { TencentSms, type SmsLogEntry } from '../../shared/adapters/tencentcloud/sms';
import { FixedClock } from '../../shared/adapters/local/clock';
import { RandomIds } from '../../shared/adapters/local/ids';
import { collectionName } from '../../shared/store/collections';
import { FACE_RULE_ID, SES_FROM, SES_TEMPLATE_ID, SMS_APP_ID, SMS_SIGN, SMS_TEMPLATE_IDS, startCloudFakes, type CloudFakes } from '../fakes';

let f: CloudFakes;
let api: TencentApiSettings;
let store: CloudBaseStore;
const clock = new FixedClock(new Date('2026-05-01T02:00:00.000Z'));

beforeAll(async () => {
  f = await startCloudFakes();
  await f.setup();
  api = { region: 'ap-shanghai', credentials: () => ({ secretId: f.secretId, secretKey: f.secretKey }), timeoutSeconds: 5, gateway: f.api.url };
  const app = createCloudBaseApp({ envId: f.envId, serviceUrl: f.cloudbase.serviceUrl, credentials: { secretId: f.secretId, secretKey: f.secretKey }, timeoutMs: 10_000 });
  store = new CloudBaseStore(() => app.database() as unknown as Database);
});
afterAll(() => f.close());

const wrongKey = (): TencentApiSettings => ({ ...api, credentials: () => ({ secretId: f.secretId, secretKey: 'wrong' }) });

describe('FaceID (DetectAuth → BizToken, GetDetectInfoEnhanced → Text.ErrCode)', () => {
  const face = (): FaceIdVerifier => new FaceIdVerifier(api, { ruleId: FACE_RULE_ID });
  const who = { name: '张三', idNumber: '110101199003077777' };

  it('starts a check on the real endpoint name and reads pending, pass and fail', async () => {
    const started = await face().start(who);
    expect(started.bizToken).toMatch(/^[0-9A-F-]{36}$/);
    expect(f.api.calls.at(-1)).toMatchObject({ service: 'faceid', action: 'DetectAuth' });
    expect(await face().result(started.bizToken)).toMatchObject({ passed: false, errCode: null });
    f.faceid.complete(started.bizToken, true);
    expect(await face().result(started.bizToken)).toMatchObject({ passed: true, errCode: 0, name: '张三', idNumber: who.idNumber });
    const failed = await face().start(who);
    f.faceid.complete(failed.bizToken, false);
    expect(await face().result(failed.bizToken)).toMatchObject({ passed: false, errCode: 3004 });
  });

  it('an unknown BizToken is a failed check, not an outage', async () => {
    expect(await face().result('NOT-A-TOKEN')).toEqual({ passed: false, errCode: 2004, errMsg: 'BizToken 不合法' });
  });

  it('throttling, a wrong rule and a wrong key are provider failures with the API code', async () => {
    f.api.throttle('faceid', 'DetectAuth');
    await expect(face().start(who)).rejects.toMatchObject({ code: 'PROVIDER_ERROR', providerCode: 'RequestLimitExceeded' });
    await expect(new FaceIdVerifier(api, { ruleId: '999' }).start(who)).rejects.toMatchObject({ providerCode: 'InvalidParameterValue.RuleIdNotExist' });
    const refused = f.api.refused.length;
    await expect(new FaceIdVerifier(wrongKey(), { ruleId: FACE_RULE_ID }).start(who)).rejects.toMatchObject({
      code: 'PROVIDER_ERROR',
      details: { provider: 'faceid', providerCode: 'AuthFailure.SignatureFailure' },
    });
    expect(f.api.refused.slice(refused)).toEqual([{ service: 'faceid', code: 'AuthFailure.SignatureFailure' }]);
  });

  it('no credentials at all is said as such', async () => {
    await expect(new FaceIdVerifier({ ...api, credentials: () => null }, { ruleId: FACE_RULE_ID }).start(who)).rejects.toMatchObject({ providerCode: 'MissingCredentials' });
  });
});

describe('SMS (SendSms, a status per number, every attempt logged)', () => {
  const sms = (settings: Partial<ConstructorParameters<typeof TencentSms>[1]> = {}, a = api): TencentSms =>
    new TencentSms(a, { sdkAppId: SMS_APP_ID, signName: SMS_SIGN, templateIds: SMS_TEMPLATE_IDS, ...settings }, store, clock, new RandomIds());
  const log = async (phone: string): Promise<SmsLogEntry[]> =>
    (await store.find(collectionName('sms'), { phone }, { orderBy: [['createdAt', 'asc']] })) as unknown as SmsLogEntry[];

  it('sends with the template of the kind, in E.164, and logs it as sent', async () => {
    const r = await sms().send({ phone: '13900000001', template: 'invite_sign', params: ['张三', '借条'] });
    expect(r).toEqual({ ok: true, serialNo: expect.stringMatching(/^2019:/) });
    expect(f.sms.sent.at(-1)).toMatchObject({ phone: '+8613900000001', templateId: SMS_TEMPLATE_IDS.invite_sign, text: '【电子签】张三邀请您签署《借条》，请在微信小程序“电子签”查看并签署：https://esign.example.cn/open' });
    expect(await log('13900000001')).toEqual([
      expect.objectContaining({ status: 'sent', serialNo: r.serialNo, template: 'invite_sign', code: null, retryable: false, text: expect.stringContaining('张三邀请您签署《借条》') }),
    ]);
  });

  it('a number refused by the carrier limit is a failure to retry; a template mismatch is not', async () => {
    f.sms.failNumber('+8613900000002');
    expect(await sms().send({ phone: '13900000002', template: 'urge', params: ['张三', '借条', '签署'] })).toMatchObject({ ok: false, code: 'LimitExceeded.PhoneNumberDailyLimit' });
    expect(await sms().send({ phone: '13900000002', template: 'urge', params: ['too few'] })).toMatchObject({ ok: false, code: 'FailedOperation.TemplateParamSetNotMatchApprovedTemplate' });
    expect((await log('13900000002')).map((e) => [e.status, e.code, e.retryable])).toEqual([
      ['failed', 'LimitExceeded.PhoneNumberDailyLimit', true],
      ['failed', 'FailedOperation.TemplateParamSetNotMatchApprovedTemplate', false],
    ]);
  });

  it('throttling, a missing template id and a wrong key are logged failures, never thrown', async () => {
    f.api.throttle('sms', 'SendSms');
    expect(await sms().send({ phone: '13900000003', template: 'expired', params: ['借条'] })).toMatchObject({ ok: false, code: 'RequestLimitExceeded' });
    expect(await sms({ templateIds: {} }).send({ phone: '13900000003', template: 'expired', params: ['借条'] })).toMatchObject({ ok: false, code: 'TemplateNotConfigured' });
    expect(await sms({}, wrongKey()).send({ phone: '13900000003', template: 'expired', params: ['借条'] })).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
    expect((await log('13900000003')).map((e) => [e.code, e.retryable])).toEqual([
      ['RequestLimitExceeded', true],
      ['TemplateNotConfigured', false],
      ['AuthFailure.SignatureFailure', false],
    ]);
  });
});

describe('SES (SendEmail with a template and the PDF attached)', () => {
  const mailer = (a = api, region = 'ap-guangzhou'): SesMailer => new SesMailer(a, { from: SES_FROM, templateId: SES_TEMPLATE_ID, region });
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2048, 7), Buffer.from('\n%%EOF\n')]);

  it('sends the text through the template with the PDF as an attachment', async () => {
    const r = await mailer().send({ to: 'li@example.com', subject: '《借条》合同文件', text: '附件为已签署的合同。', attachments: [{ filename: '借条.pdf', contentType: 'application/pdf', content: pdf }] });
    expect(r).toEqual({ ok: true, messageId: expect.stringMatching(/@qcloudmail\.com>$/) });
    const sent = f.ses.sent.at(-1)!;
    expect(sent).toMatchObject({ to: ['li@example.com'], subject: '《借条》合同文件', templateId: SES_TEMPLATE_ID, body: expect.stringContaining('附件为已签署的合同。') });
    expect(sent.attachments).toEqual([{ filename: '借条.pdf', content: pdf }]);
    expect(f.api.calls.at(-1)).toEqual({ service: 'ses', action: 'SendEmail', region: 'ap-guangzhou' });
  });

  it('refuses more than 4 MB of attachments before sending; the provider\'s refusals come back as codes', async () => {
    const calls = f.api.calls.length;
    const big = { filename: 'big.pdf', contentType: 'application/pdf', content: Buffer.alloc(4 * 1024 * 1024 + 1) };
    expect(await mailer().send({ to: 'li@example.com', subject: 's', text: 't', attachments: [big] })).toMatchObject({ ok: false, code: 'AttachmentTooLarge' });
    expect(f.api.calls.length).toBe(calls);
    expect(await mailer(api, 'ap-shanghai').send({ to: 'li@example.com', subject: 's', text: 't' })).toMatchObject({ ok: false, code: 'UnsupportedRegion' });
    f.api.throttle('ses', 'SendEmail');
    expect(await mailer().send({ to: 'li@example.com', subject: 's', text: 't' })).toMatchObject({ ok: false, code: 'RequestLimitExceeded' });
    expect(await mailer(wrongKey()).send({ to: 'li@example.com', subject: 's', text: 't' })).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
  });
});

describe('CloudBase storage (uploadFile, getTempFileURL, downloadFile)', () => {
  const files = (secretKey = f.secretKey): CloudBaseFiles => {
    const app = createCloudBaseApp({ envId: f.envId, serviceUrl: f.cloudbase.serviceUrl, credentials: { secretId: f.secretId, secretKey }, timeoutMs: 10_000 });
    return new CloudBaseFiles(() => app as unknown as StorageApp, { envId: f.envId, bucket: f.cloudbase.storage.bucket });
  };
  const bytes = Buffer.from('%PDF-1.7 合同 \u0000\u00ff binary');

  it('round-trips a file; a missing one is null', async () => {
    await files().put('contracts/c1/final.pdf', bytes, 'application/pdf');
    expect(f.cloudbase.storage.content('contracts/c1/final.pdf')).toEqual(bytes);
    expect(await files().get('contracts/c1/final.pdf')).toEqual(bytes);
    expect(await files().get('contracts/c1/nothing.pdf')).toBeNull();
  });

  it('gives a short-lived URL that serves the file and nothing else', async () => {
    const url = await files().temporaryUrl('contracts/c1/final.pdf', 300);
    expect(f.cloudbase.storage.issuedMaxAges.at(-1)).toBe(300);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    expect((await fetch(url.replace(/sign=[0-9a-f]{4}/, 'sign=0000'))).status).toBe(403);
    await expect(files().temporaryUrl('contracts/c1/nothing.pdf', 300)).rejects.toMatchObject({ code: 'PROVIDER_ERROR', providerCode: 'STORAGE_FILE_NONEXIST' });
  });

  it('refuses keys that are not plain relative paths, and a wrong key is PROVIDER_ERROR', async () => {
    await expect(files().put('../escape.pdf', bytes, 'application/pdf')).rejects.toThrow(/invalid file key/);
    await expect(files().put('/abs.pdf', bytes, 'application/pdf')).rejects.toThrow(/invalid file key/);
    await expect(files('wrong').put('contracts/c2/x.pdf', bytes, 'application/pdf')).rejects.toMatchObject({ code: 'PROVIDER_ERROR', details: { provider: 'cloudbase-storage', providerCode: 'SIGN_PARAM_INVALID' } });
  });
});
