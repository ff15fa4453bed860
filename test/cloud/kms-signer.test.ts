/**
 * Issue 16 item 1 (C10): the issuing CA's key in Tencent KMS. The production signer
 * (shared/adapters/tencentcloud/kms-signer.ts, tencentcloud-sdk-nodejs's KMS client) against the
 * local Tencent Cloud API server (TC3-HMAC-SHA256 verified by test/fakes/tc3.ts), whose KMS holds a
 * P-256 key and signs SignByAsymmetricKey's DIGEST with OpenSSL. Certificates and CRLs it issues
 * chain like the local ones (OpenSSL verify with CRLs, pdfsig on a signed contract); every answer
 * is checked against the issuing certificate; failures are PROVIDER_ERROR/kms, retryable only for
 * the API's transient codes; and with ESIGN_CA_KMS_KEY_ID the cloud never reads the key from SSM.
 */
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import type { TencentApiSettings } from '../../shared/adapters/tencentcloud/client-options';
import { KmsIssuerSigner, p1363ToDer } from '../../shared/adapters/tencentcloud/kms-signer';
import { ProviderFailure } from '../../shared/adapters/tencentcloud/provider-error';
import { partyCertificate, signingKeys } from '../../shared/contracts/signing-keys';
import { certifyIssuingKey, generatePlatformCa, issueIssuingCrl, issueSignerCertificate, issueTsaCertificate, loadPlatformCa, type PlatformCa } from '../../shared/documents/ca';
import { parseCrl, verifyCrl } from '../../shared/documents/crl';
import { derToPem, describeCertificate, parseCertificate, pemToDer } from '../../shared/documents/x509';
import { createContainer, type Container } from '../../shared/runtime/container';
import { SSM_PREFIX, SSM_VERSION, startCloudFakes, type CloudFakes } from '../fakes';
import { twoSignerIou } from '../documents/signing-fixture';
import { nssDbTrusting, pdfsig, requireTools, run, tempDir, writeTemp } from '../documents/tools';

let f: CloudFakes;
let api: TencentApiSettings;
const { rootKeyPem: _offline, issuingKeyPem, ...pems } = generatePlatformCa({ organization: '测试电子签平台' });
let keyId: string;
let ca: PlatformCa;
const signingTime = new Date();

beforeAll(async () => {
  requireTools();
  f = await startCloudFakes();
  api = { region: 'ap-shanghai', credentials: () => ({ secretId: f.secretId, secretKey: f.secretKey }), timeoutSeconds: 5, gateway: f.api.url };
  // The operator's KMS key holds the issuing CA's key; the running system gets only its id.
  keyId = f.kms.createKey({ pkcs8Pem: issuingKeyPem }).keyId;
  ca = loadPlatformCa(pems, new KmsIssuerSigner(api, { keyId }, pems.issuingCertPem));
});
afterAll(() => f.close());

const dir = tempDir('esign-kms-');

describe('certificates and CRLs signed by KMS', () => {
  test('a signer certificate: KMS signed the SHA-256 digest of its TBSCertificate, for the kms service, and OpenSSL verifies the chain', async () => {
    const before = f.kms.signed.length;
    const cert = await issueSignerCertificate(ca, { name: '张三', identifier: 'A'.repeat(32), signingTime });
    expect(f.api.calls.at(-1)).toEqual({ service: 'kms', action: 'SignByAsymmetricKey', region: 'ap-shanghai' });
    const tbsDigest = createHash('sha256').update(parseCertificate(cert.certDer).tbsDer).digest();
    expect(f.kms.signed.slice(before)).toEqual([{ keyId, messageType: 'DIGEST', message: tbsDigest }]);
    expect(new X509Certificate(cert.certPem).verify(ca.issuing.publicKey)).toBe(true);
    const r = run('openssl', ['verify', '-CAfile', writeTemp(dir, 'root.pem', pems.rootCertPem), '-untrusted', writeTemp(dir, 'issuing.pem', pems.issuingCertPem), writeTemp(dir, 'leaf.pem', cert.certPem)]);
    expect(r.stdout.trim()).toBe(`${dir}/leaf.pem: OK`);
    expect(describeCertificate(cert.certPem).issuer.commonName).toBe('个人电子签平台签名证书 Issuing CA');
  });

  test('the issuing CRL: verifies against the issuing CA and lets OpenSSL check the chain with CRLs; a revoked certificate is refused', async () => {
    const cert = await issueSignerCertificate(ca, { name: '李小明', identifier: 'B'.repeat(32), signingTime });
    const crl = await issueIssuingCrl(ca, new Date());
    expect(verifyCrl(parseCrl(crl), ca.issuing, ca.issuingSubjectDer)).toBe(true);
    const args = (crlDer: Buffer, name: string) => [
      'verify', '-crl_check_all', '-CRLfile', writeTemp(dir, `${name}.crl.pem`, pems.rootCrlPem! + derToPem(crlDer, 'X509 CRL')),
      '-CAfile', writeTemp(dir, 'root.pem', pems.rootCertPem), '-untrusted', writeTemp(dir, 'issuing.pem', pems.issuingCertPem), writeTemp(dir, `${name}.pem`, cert.certPem),
    ];
    expect(run('openssl', args(crl, 'ok')).stdout.trim()).toBe(`${dir}/ok.pem: OK`);
    const revoked = await issueIssuingCrl(ca, new Date(), [{ serialNumberHex: cert.info.serialNumberHex, revokedAt: new Date(), reason: 'keyCompromise' }]);
    const refused = run('openssl', args(revoked, 'revoked'));
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain('certificate revoked');
  });

  test('the TSA certificate under the KMS-held issuing CA is accepted by OpenSSL for timestampsign', async () => {
    const tsa = await issueTsaCertificate(ca, { now: new Date() });
    const r = run('openssl', ['verify', '-purpose', 'timestampsign', '-CAfile', writeTemp(dir, 'root.pem', pems.rootCertPem), '-untrusted', writeTemp(dir, 'issuing.pem', pems.issuingCertPem), writeTemp(dir, 'tsa.pem', tsa.certPem)]);
    expect(r.stdout.trim()).toBe(`${dir}/tsa.pem: OK`);
  });

  test('a contract signed by two people with KMS-issued certificates: pdfsig finds both signatures valid and trusted', async () => {
    const { borrower } = await twoSignerIou(ca);
    const out = pdfsig(writeTemp(dir, 'kms-signed.pdf', borrower.bytes), nssDbTrusting(pems.rootCertPem));
    expect(out.signatures.map((s) => [s.fieldName, s.commonName, s.signatureValidation, s.certificateValidation])).toEqual([
      ['Sig_lender', '张三', 'Signature is Valid.', 'Certificate is Trusted.'],
      ['Sig_borrower', '李小明', 'Signature is Valid.', 'Certificate is Trusted.'],
    ]);
  });

  test('a KMS answering r‖s (64 bytes) instead of DER: converted, and the certificate verifies', async () => {
    f.kms.encoding = 'p1363';
    try {
      const cert = await issueSignerCertificate(ca, { name: '王五', identifier: 'C'.repeat(32), signingTime });
      expect(new X509Certificate(cert.certPem).verify(ca.issuing.publicKey)).toBe(true);
    } finally {
      f.kms.encoding = 'der';
    }
    // The conversion itself: leading zeros dropped, a 0 put before a high bit.
    const rs = Buffer.concat([Buffer.alloc(32, 0), Buffer.alloc(32, 0xff)]);
    rs[31] = 0x01;
    expect(p1363ToDer(rs).toString('hex')).toBe(`3026020101022100${'ff'.repeat(32)}`);
  });
});

test('the key ceremony for a key generated inside KMS: the offline root certifies its public key, and what KMS then issues chains to the root', async () => {
  const full = generatePlatformCa();
  const kmsKey = f.kms.createKey();
  const issuingCertPem = certifyIssuingKey({ rootCertPem: full.rootCertPem, rootKeyPem: full.rootKeyPem!, issuingPublicKeyPem: kmsKey.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
  const issuing = new X509Certificate(issuingCertPem);
  expect([issuing.ca, issuing.checkIssued(new X509Certificate(full.rootCertPem)), issuing.publicKey.equals(kmsKey.publicKey)]).toEqual([true, true, true]);
  const kmsCa = loadPlatformCa({ rootCertPem: full.rootCertPem, issuingCertPem, rootCrlPem: full.rootCrlPem! }, new KmsIssuerSigner(api, { keyId: kmsKey.keyId }, issuingCertPem));
  const cert = await issueSignerCertificate(kmsCa, { name: '赵六', identifier: 'D'.repeat(32), signingTime });
  const r = run('openssl', ['verify', '-CAfile', writeTemp(dir, 'root2.pem', full.rootCertPem), '-untrusted', writeTemp(dir, 'issuing2.pem', issuingCertPem), writeTemp(dir, 'leaf2.pem', cert.certPem)]);
  expect(r.stdout.trim()).toBe(`${dir}/leaf2.pem: OK`);
  expect(() => certifyIssuingKey({ rootCertPem: full.rootCertPem, rootKeyPem: generatePlatformCa().rootKeyPem!, issuingPublicKeyPem: kmsKey.publicKey.export({ type: 'spki', format: 'pem' }).toString() })).toThrow(/root key does not match/);
});

describe('refusals: PROVIDER_ERROR/kms, nothing issued', () => {
  const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as ProviderFailure);

  test('a key id of another key: the signature does not verify against the issuing certificate (SignatureMismatch, not retryable)', async () => {
    const other = f.kms.createKey().keyId;
    const wrong = loadPlatformCa(pems, new KmsIssuerSigner(api, { keyId: other }, pems.issuingCertPem));
    const e = await failure(issueSignerCertificate(wrong, { name: '张三', identifier: 'A'.repeat(32), signingTime }));
    expect(e).toBeInstanceOf(ProviderFailure);
    expect(e).toMatchObject({ code: 'PROVIDER_ERROR', details: { provider: 'kms', providerCode: 'SignatureMismatch', retryable: false } });
    await expect(issueIssuingCrl(wrong, new Date())).rejects.toMatchObject({ details: { provider: 'kms', providerCode: 'SignatureMismatch' } });
  });

  test('a disabled key, a key of another usage, a missing key: the API\'s codes, not retryable', async () => {
    const disabled = f.kms.createKey({ pkcs8Pem: issuingKeyPem }).keyId;
    f.kms.disable(disabled);
    const encrypt = f.kms.createKey({ usage: 'ENCRYPT_DECRYPT' }).keyId;
    const codes = [];
    for (const id of [disabled, encrypt, '00000000-0000-0000-0000-000000000000']) {
      const e = await failure(new KmsIssuerSigner(api, { keyId: id }, pems.issuingCertPem).sign(Buffer.from('tbs')));
      codes.push([e?.details?.provider, e?.details?.providerCode, e?.details?.retryable]);
    }
    expect(codes).toEqual([
      ['kms', 'ResourceUnavailable.CmkDisabled', false],
      ['kms', 'InvalidParameterValue.InvalidKeyUsage', false],
      ['kms', 'ResourceUnavailable.CmkNotFound', false],
    ]);
  });

  test('throttling is retryable and the next call succeeds; a refused API key is the provider\'s AuthFailure', async () => {
    f.api.throttle('kms', 'SignByAsymmetricKey', 1);
    const signer = new KmsIssuerSigner(api, { keyId }, pems.issuingCertPem);
    const e = await failure(signer.sign(Buffer.from('tbs')));
    expect(e?.details).toMatchObject({ provider: 'kms', providerCode: 'RequestLimitExceeded', retryable: true });
    const sig = await signer.sign(Buffer.from('tbs'));
    expect(sig[0]).toBe(0x30);
    const bad = new KmsIssuerSigner({ ...api, credentials: () => ({ secretId: f.secretId, secretKey: 'wrong' }) }, { keyId }, pems.issuingCertPem);
    const refusedBefore = f.api.refused.length;
    expect((await failure(bad.sign(Buffer.from('tbs'))))?.details).toMatchObject({ provider: 'kms', providerCode: 'AuthFailure.SignatureFailure', retryable: false });
    expect(f.api.refused.slice(refusedBefore)).toEqual([{ service: 'kms', code: 'AuthFailure.SignatureFailure' }]);
  });

  test('only a P-256 issuing certificate can be KMS-held; a configured key beside a signer is refused', () => {
    const rsa = generatePlatformCa({ keyAlgorithm: 'rsa-2048' });
    expect(() => new KmsIssuerSigner(api, { keyId }, rsa.issuingCertPem)).toThrow(/P-256/);
    expect(() => new KmsIssuerSigner(api, { keyId: 'a/b' }, pems.issuingCertPem)).toThrow(/ESIGN_CA_KMS_KEY_ID/);
    expect(() => loadPlatformCa({ ...pems, issuingKeyPem }, new KmsIssuerSigner(api, { keyId }, pems.issuingCertPem))).toThrow(/no issuing key may be configured/);
    expect(() => loadPlatformCa(pems)).toThrow(/neither the issuing key nor a signer/);
  });
});

describe('the cloud container with ESIGN_CA_KMS_KEY_ID', () => {
  let c: Container;
  beforeAll(() => {
    for (const [name, value] of Object.entries({ 'ca-root-cert': pems.rootCertPem, 'ca-issuing-cert': pems.issuingCertPem, 'ca-root-crl': pems.rootCrlPem!, 'signer-id-secret': randomBytes(32).toString('hex') })) {
      f.ssm.put(`${SSM_PREFIX}${name}`, SSM_VERSION, value);
    }
    c = createContainer({ ...f.env, ESIGN_CA_KMS_KEY_ID: keyId });
  });

  test('never reads the issuing key from SSM (there is none), and issues party certificates through KMS that chain to the root', async () => {
    const readsBefore = f.ssm.reads.length;
    const signedBefore = f.kms.signed.length;
    const cert = await partyCertificate(c, { name: '张三', idNumber: '11010519491231002X' } as never, signingTime);
    expect(f.ssm.reads.slice(readsBefore).sort()).toEqual(['ca-issuing-cert', 'ca-root-cert', 'ca-root-crl', 'signer-id-secret'].map((n) => `${SSM_PREFIX}${n}`).sort());
    expect(f.ssm.reads).not.toContain(`${SSM_PREFIX}ca-issuing-key`);
    expect(f.kms.signed.length).toBe(signedBefore + 1);
    expect(new X509Certificate(cert.certPem).verify(new X509Certificate(pems.issuingCertPem).publicKey)).toBe(true);
    const keys = await signingKeys(c);
    expect(keys.ca.issuer).toBeInstanceOf(KmsIssuerSigner);
    expect(pemToDer(cert.certPem).includes(Buffer.from('11010519491231002X'))).toBe(false);
  });

  test('without it, the cloud reads the key from SSM as before; a throttled first read is not kept: the next call retries', async () => {
    f.ssm.put(`${SSM_PREFIX}ca-issuing-key`, SSM_VERSION, issuingKeyPem);
    const plain = createContainer(f.env);
    f.api.throttle('ssm', 'GetSecretValue', 1);
    await expect(signingKeys(plain)).rejects.toMatchObject({ details: { provider: 'ssm', providerCode: 'RequestLimitExceeded' } });
    const signedBefore = f.kms.signed.length;
    const cert = await partyCertificate(plain, { name: '李小明', idNumber: '310101199001011234' } as never, signingTime);
    expect(new X509Certificate(cert.certPem).verify(new X509Certificate(pems.issuingCertPem).publicKey)).toBe(true);
    expect(f.kms.signed.length).toBe(signedBefore);
  });
});
