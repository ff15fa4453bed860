/**
 * The platform's certificate authority (C10): a root CA that certifies an issuing CA, which
 * issues one short-lived end-entity certificate per signing event.
 *
 * Keys are ECDSA P-256 generated with node:crypto (a few ms, against ~0.2 s for RSA-2048 —
 * it matters because every signature gets a fresh key). poppler/NSS verify ECDSA chains and
 * CMS signatures (covered by the two-signer test); RSA CA keys loaded from configuration work
 * too, since the signature algorithm follows the issuer's key.
 *
 * The CA material comes from configuration as PEM strings (loadPlatformCa); for a first start
 * of the emulator, generatePlatformCa() creates it and returns PEMs for the caller to persist.
 * The CAs also issue CRLs (crl.ts): the issuing CA one whenever a contract completes (it covers
 * signer and TSA certificates), the offline root one at the key ceremony (it covers the issuing
 * CA) which configuration carries beside the certificates. And the issuing CA certifies the
 * embedded TSA (extended key usage timeStamping, critical), so timestamps chain to the same root.
 *
 * The issuing CA signs through an IssuerSigner (ports/issuer-signer.ts): a key object from
 * configuration, or — in the cloud with KMS — a signer whose key never leaves Tencent KMS; so
 * everything it issues is asynchronous. The root key is needed only at the key ceremony
 * (generatePlatformCa, issueRootCrl), never at runtime.
 *
 * This module never reads files or the environment.
 *
 * May import: ./asn1, ./crl, ./oids, ./x509, ../ports/issuer-signer (a type), node:crypto.
 */
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  randomBytes,
  X509Certificate,
} from 'node:crypto';
import type { IssuerSigner } from '../ports/issuer-signer';
import { issueCrl, RevokedEntry, signCrl } from './crl';
import { OID } from './oids';
import {
  buildCertificate,
  CertificateInfo,
  derToPem,
  describeCertificate,
  encodeName,
  keyIdentifier,
  keyObjectSigner,
  NameAttribute,
  parseCertificate,
  pemBlockToDer,
  pemToDer,
  signCertificate,
} from './x509';

export interface PlatformCaPems {
  rootCertPem: string;
  issuingCertPem: string;
  issuingKeyPem: string;
  /**
   * Returned by generatePlatformCa only, to be kept offline: the running system needs the
   * issuing key, never the root key.
   */
  rootKeyPem?: string;
  /**
   * The root's CRL (PEM "X509 CRL"), issued offline with the root key (issueRootCrl) and renewed
   * before its nextUpdate; completed contracts carry it in their DSS. Optional: without it the
   * DSS holds the issuing CA's CRL only.
   */
  rootCrlPem?: string;
}

export interface PlatformCa {
  root: X509Certificate;
  issuing: X509Certificate;
  /** Signs with the issuing CA's key: a key object in memory, or KMS (the key is then nowhere here). */
  issuer: IssuerSigner;
  rootPem: string;
  issuingPem: string;
  /** issuing CA subject, verbatim, used as the issuer Name of end-entity certificates. */
  issuingSubjectDer: Buffer;
  issuingKeyId: Buffer;
  rootDer: Buffer;
  issuingDer: Buffer;
  /** The configured root CRL, if any. */
  rootCrlDer?: Buffer;
}

export interface CaNaming {
  /**
   * Key algorithm of the two CA keys (end-entity keys are always P-256). RSA is there for
   * relying parties whose policies still require RSA roots.
   */
  keyAlgorithm?: 'ec-p256' | 'rsa-2048';
  /** Organization (O) of both CA certificates. */
  organization?: string;
  rootCommonName?: string;
  issuingCommonName?: string;
}

const DEFAULT_NAMING: Required<CaNaming> = {
  keyAlgorithm: 'ec-p256',
  organization: '个人电子签平台',
  rootCommonName: '个人电子签平台根证书 Root CA',
  issuingCommonName: '个人电子签平台签名证书 Issuing CA',
};

const newEcKey = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const newCaKey = (alg: Required<CaNaming>['keyAlgorithm']) =>
  alg === 'rsa-2048' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : newEcKey();

/** 16 random bytes, positive and with a non-zero first byte (RFC 5280: ≤ 20 octets, unique). */
const newSerial = (): Buffer => {
  const b = randomBytes(16);
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x01;
  return b;
};

const YEAR_MS = 365.25 * 24 * 3600 * 1000;

/**
 * Generates a root and an issuing CA. Roots live 20 years and issuing CAs 10, like commercial
 * CAs, so that end-entity certificates stay verifiable long after signing.
 */
export const generatePlatformCa = (naming: CaNaming = {}, now: Date = new Date()): PlatformCaPems => {
  const n = { ...DEFAULT_NAMING, ...naming };
  const notBefore = new Date(now.getTime() - 3600 * 1000);
  const root = newCaKey(n.keyAlgorithm);
  const rootSubject: NameAttribute[] = [
    { type: 'C', value: 'CN' },
    { type: 'O', value: n.organization },
    { type: 'CN', value: n.rootCommonName },
  ];
  const rootNameDer = encodeName(rootSubject);
  const rootSpki = root.publicKey.export({ type: 'spki', format: 'der' });
  const rootDer = buildCertificate(
    {
      serialNumber: newSerial(),
      issuerNameDer: rootNameDer,
      subject: rootSubject,
      notBefore,
      notAfter: new Date(now.getTime() + 20 * YEAR_MS),
      subjectPublicKey: root.publicKey,
      ca: true,
      keyUsage: ['keyCertSign', 'cRLSign'],
    },
    root.privateKey,
  );
  const issuing = newCaKey(n.keyAlgorithm);
  const issuingDer = issuingCertificate(n, rootNameDer, keyIdentifier(rootSpki), issuing.publicKey, root.privateKey, now);
  const rootKeyPem = root.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    rootCertPem: derToPem(rootDer),
    rootKeyPem,
    issuingCertPem: derToPem(issuingDer),
    issuingKeyPem: issuing.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    rootCrlPem: issueRootCrl({ rootCertPem: derToPem(rootDer), rootKeyPem, now }),
  };
};

/** The issuing CA's certificate for `publicKey`, signed by the root: 10 years, CA with pathLength 0. */
const issuingCertificate = (n: Required<CaNaming>, rootNameDer: Buffer, rootKeyId: Buffer, publicKey: KeyObject, rootKey: KeyObject, now: Date): Buffer =>
  buildCertificate(
    {
      serialNumber: newSerial(),
      issuerNameDer: rootNameDer,
      subject: [
        { type: 'C', value: 'CN' },
        { type: 'O', value: n.organization },
        { type: 'CN', value: n.issuingCommonName },
      ],
      notBefore: new Date(now.getTime() - 3600 * 1000),
      notAfter: new Date(now.getTime() + 10 * YEAR_MS),
      subjectPublicKey: publicKey,
      authorityKeyId: rootKeyId,
      ca: true,
      pathLength: 0,
      keyUsage: ['keyCertSign', 'cRLSign'],
    },
    rootKey,
  );

/**
 * At the key ceremony, for an issuing key that was generated where it stays (a KMS key of usage
 * ASYMMETRIC_SIGN_VERIFY_ECC: its public key from KMS GetPublicKey): the root certifies that public
 * key, offline. The issuing private key then never exists outside KMS. Returns the issuing CA
 * certificate (PEM) for the `ca-issuing-cert` secret.
 */
export const certifyIssuingKey = (req: { rootCertPem: string; rootKeyPem: string; issuingPublicKeyPem: string; naming?: CaNaming; now?: Date }): string => {
  const n = { ...DEFAULT_NAMING, ...req.naming };
  const root = parseCertificate(pemToDer(req.rootCertPem));
  const rootKey = createPrivateKey(req.rootKeyPem);
  if (!new X509Certificate(req.rootCertPem).checkPrivateKey(rootKey)) throw new Error('platform CA: the root key does not match the root certificate');
  const publicKey = createPublicKey(req.issuingPublicKeyPem);
  return derToPem(issuingCertificate(n, root.subjectNameDer, keyIdentifier(root.spkiDer), publicKey, rootKey, req.now ?? new Date()));
};

/**
 * The root's CRL, made at the key ceremony with the offline root key (the running system never
 * has it). Lists revoked issuing CAs (none, normally); valid for `validityMs` (default a year),
 * after which the ceremony issues the next one.
 */
export const issueRootCrl = (req: {
  rootCertPem: string;
  rootKeyPem: string;
  now: Date;
  validityMs?: number;
  revoked?: readonly RevokedEntry[];
}): string => {
  const rootDer = pemToDer(req.rootCertPem);
  const parsed = parseCertificate(rootDer);
  const der = issueCrl({
    issuerNameDer: parsed.subjectNameDer,
    issuerKey: createPrivateKey(req.rootKeyPem),
    issuerKeyId: keyIdentifier(parsed.spkiDer),
    thisUpdate: req.now,
    nextUpdate: new Date(req.now.getTime() + (req.validityMs ?? YEAR_MS)),
    crlNumber: Math.floor(req.now.getTime() / 1000),
    revoked: req.revoked,
  });
  return derToPem(der, 'X509 CRL');
};

/** The CA material to load: the issuing key's PEM, unless a signer holding it elsewhere is given. */
export type PlatformCaConfig = Omit<PlatformCaPems, 'issuingKeyPem' | 'rootKeyPem'> & { issuingKeyPem?: string };

/**
 * Loads configured CA material and refuses inconsistent configuration early. With `signer` (KMS)
 * the issuing key is not configuration at all; the signer checks its signatures against the
 * issuing certificate instead of a key comparison here.
 */
export const loadPlatformCa = (pems: PlatformCaConfig, signer?: IssuerSigner): PlatformCa => {
  const root = new X509Certificate(pems.rootCertPem);
  const issuing = new X509Certificate(pems.issuingCertPem);
  if (!issuing.checkIssued(root) || !issuing.verify(root.publicKey)) {
    throw new Error('platform CA: the issuing CA certificate is not signed by the root');
  }
  let issuer = signer;
  if (!issuer) {
    if (!pems.issuingKeyPem) throw new Error('platform CA: neither the issuing key nor a signer holding it is configured');
    const issuingKey = createPrivateKey(pems.issuingKeyPem);
    if (!issuing.checkPrivateKey(issuingKey)) {
      throw new Error('platform CA: the issuing key does not match the issuing certificate');
    }
    issuer = keyObjectSigner(issuingKey);
  } else if (pems.issuingKeyPem) {
    throw new Error('platform CA: a signer holds the issuing key, so no issuing key may be configured beside it');
  }
  if (issuer.keyType !== issuing.publicKey.asymmetricKeyType) {
    throw new Error(`platform CA: the issuing signer's ${issuer.keyType} key cannot be the issuing certificate's ${issuing.publicKey.asymmetricKeyType ?? ''} key`);
  }
  if (!issuing.ca || !root.ca) throw new Error('platform CA: CA certificates must have basicConstraints CA:true');
  const parsed = parseCertificate(issuing.raw);
  const rootCrlDer = pems.rootCrlPem ? pemBlockToDer(pems.rootCrlPem, 'X509 CRL') : undefined;
  return {
    root,
    issuing,
    issuer,
    rootPem: root.toString(),
    issuingPem: issuing.toString(),
    issuingSubjectDer: parsed.subjectNameDer,
    issuingKeyId: keyIdentifier(issuing.publicKey.export({ type: 'spki', format: 'der' })),
    rootDer: Buffer.from(root.raw),
    issuingDer: Buffer.from(issuing.raw),
    ...(rootCrlDer ? { rootCrlDer } : {}),
  };
};

/**
 * The issuing CA's CRL now: it covers every one-time signer certificate and the TSA's. Valid a
 * week — long-term validation needs a CRL issued after the signatures, not a long-lived one.
 */
export const issueIssuingCrl = (ca: PlatformCa, now: Date, revoked: readonly RevokedEntry[] = [], validityMs = 7 * 24 * 3600 * 1000): Promise<Buffer> =>
  signCrl({
    issuerNameDer: ca.issuingSubjectDer,
    issuerKey: ca.issuer,
    issuerKeyId: ca.issuingKeyId,
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + validityMs),
    crlNumber: Math.floor(now.getTime() / 1000),
    revoked,
  });

/**
 * The non-reversible identifier put into certificates instead of the ID number: an HMAC with a
 * platform secret, so the same person gets the same identifier (a court can ask us to confirm
 * it) but nobody can read or brute-force the ID number from a certificate without the secret.
 */
export const deriveSignerIdentifier = (platformSecret: string | Buffer, idNumber: string): string =>
  createHmac('sha256', platformSecret).update(idNumber.trim().toUpperCase()).digest('hex').slice(0, 32).toUpperCase();

export interface SignerCertificateRequest {
  /** The signer's legal name (CN). */
  name: string;
  /** From deriveSignerIdentifier (or another non-reversible identifier); never an ID number. */
  identifier: string;
  /** When the signature is made; the certificate is valid from a little before it. */
  signingTime: Date;
  /**
   * How long the certificate stays valid after signingTime. Short on purpose — the key is used
   * once and then forgotten — yet long enough that validators which check validity at the
   * current time (pdfsig does) accept the signature during the contract's ordinary life;
   * our verifier checks validity at the signing time. Default 1 year.
   */
  validityMs?: number;
}

export interface SignerCertificate {
  certPem: string;
  /** The certificate as issued (what certPem encodes): signPdf takes it as is. */
  certDer: Buffer;
  /** PKCS#8 PEM, exported on first read; use it for this one signature and discard it. */
  keyPem: string;
  /** The one-time key itself: signing with it parses nothing again (issue 17). */
  privateKey: KeyObject;
  /** Issuing CA then root, as the CMS structure carries them. */
  chainPems: string[];
  info: CertificateInfo;
}

const CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface TsaCertificateRequest {
  commonName?: string;
  /** Start of validity (a little before, for clock skew). */
  now: Date;
  /** Default 5 years: a TSA key signs many tokens, unlike a one-time signer key. */
  validityMs?: number;
}


/** A certificate the issuing CA just made, with its key and chain, as the signers and the TSA receive it. */
const issued = (der: Buffer, privateKey: KeyObject, ca: { issuingPem: string; rootPem: string }): SignerCertificate => {
  let keyPem: string | undefined;
  return {
    certPem: derToPem(der),
    certDer: der,
    privateKey,
    get keyPem() {
      return (keyPem ??= privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    },
    chainPems: [ca.issuingPem, ca.rootPem],
    info: describeCertificate(der),
  };
};

/**
 * A certificate for the embedded TSA, under the issuing CA: keyUsage digitalSignature +
 * nonRepudiation, and extended key usage timeStamping only, critical (RFC 3161 §2.3 — OpenSSL's
 * `ts -verify` refuses anything else).
 */
export const issueTsaCertificate = async (ca: PlatformCa, req: TsaCertificateRequest): Promise<SignerCertificate> => {
  const key = newEcKey();
  const t = req.now.getTime();
  const issuingSubject = parseCertificate(ca.issuingDer).subject;
  const der = await signCertificate(
    {
      serialNumber: newSerial(),
      issuerNameDer: ca.issuingSubjectDer,
      subject: [
        { type: 'C', value: 'CN' },
        ...issuingSubject.filter((a) => a.type === 'O'),
        { type: 'CN', value: req.commonName ?? '个人电子签平台时间戳服务 TSA' },
      ],
      notBefore: new Date(t - CLOCK_SKEW_MS),
      notAfter: new Date(t + (req.validityMs ?? 5 * YEAR_MS)),
      subjectPublicKey: key.publicKey,
      authorityKeyId: ca.issuingKeyId,
      ca: false,
      keyUsage: ['digitalSignature', 'nonRepudiation'],
      extKeyUsage: [OID.kpTimeStamping],
      extKeyUsageCritical: true,
    },
    ca.issuer,
  );
  return issued(der, key.privateKey, ca);
};

export const issueSignerCertificate = async (ca: PlatformCa, req: SignerCertificateRequest): Promise<SignerCertificate> => {
  const name = req.name.trim();
  if (!name || name.length > 64) throw new Error('signer certificate: name must be 1..64 characters');
  // An all-digit value (optionally ending in X) looks like an ID number: refuse it outright.
  if (!/^[0-9A-Za-z]{16,64}$/.test(req.identifier) || /^\d+[Xx]?$/.test(req.identifier)) {
    throw new Error('signer certificate: identifier must be 16..64 letters/digits (e.g. an HMAC), never an ID number');
  }
  const key = newEcKey();
  const t = req.signingTime.getTime();
  const der = await signCertificate(
    {
      serialNumber: newSerial(),
      issuerNameDer: ca.issuingSubjectDer,
      subject: [
        { type: 'C', value: 'CN' },
        { type: 'CN', value: name },
        { type: 'serialNumber', value: req.identifier },
      ],
      notBefore: new Date(t - CLOCK_SKEW_MS),
      notAfter: new Date(t + (req.validityMs ?? YEAR_MS)),
      subjectPublicKey: key.publicKey,
      authorityKeyId: ca.issuingKeyId,
      ca: false,
      keyUsage: ['digitalSignature', 'nonRepudiation'],
      // NSS validates PDF signers for the "email signer" usage, which needs emailProtection;
      // documentSigning (RFC 9336) says what the certificate is really for.
      extKeyUsage: [OID.kpEmailProtection, OID.kpDocumentSigning],
    },
    ca.issuer,
  );
  return issued(der, key.privateKey, ca);
};
