/**
 * The embedded TSA (the local default of the TimestampAuthority port): RFC 3161 tokens signed in
 * process with a TSA certificate under the platform root (issued by the issuing CA, extended key
 * usage timeStamping, critical — documents/ca.ts issueTsaCertificate). Its time is the Clock
 * port's, so the emulator and tests can move it; in production a third-party TSA is configured
 * instead (adapters/rfc3161), because a token from our own clock proves nothing against us.
 *
 * The same signing code (documents/timestamp.ts createTimestampToken) backs the RFC 3161 test
 * server in test/fakes/tsa.ts.
 *
 * May import: ports, documents (ca, timestamp, x509). Never runtime.
 */
import { createPrivateKey } from 'node:crypto';
import { issueTsaCertificate, type PlatformCa, type SignerCertificate } from '../../documents/ca';
import { OID } from '../../documents/oids';
import { createTimestampToken, randomPositiveInteger, type TsaIdentity } from '../../documents/timestamp';
import { derToPem, pemToDer } from '../../documents/x509';
import type { Clock } from '../../ports/clock';
import { TsaFailure, type TimestampAuthority, type TimestampHash } from '../../ports/tsa';

export interface LocalTsaOptions {
  /** TSA certificate and key (PEM) and its chain (issuing CA, root). */
  certificate: Pick<SignerCertificate, 'certPem' | 'keyPem' | 'chainPems'>;
  clock: Clock;
  policy?: string;
}

export const tsaIdentity = (certificate: LocalTsaOptions['certificate'], policy: string = OID.localTsaPolicy): TsaIdentity => ({
  certDer: pemToDer(certificate.certPem),
  key: createPrivateKey(certificate.keyPem),
  chainDers: certificate.chainPems.map(pemToDer),
  policy,
});

export class LocalTsa implements TimestampAuthority {
  private readonly identity: TsaIdentity;
  private readonly clock: Clock;
  /** Set by tests and the emulator to make the next calls fail, as an unreachable TSA would. */
  unavailable = false;

  constructor(options: LocalTsaOptions) {
    this.identity = tsaIdentity(options.certificate, options.policy);
    this.clock = options.clock;
  }

  /** A TSA for the platform CA with a certificate issued now (the emulator's first start). */
  static async forPlatformCa(ca: PlatformCa, clock: Clock): Promise<LocalTsa> {
    return new LocalTsa({ certificate: await issueTsaCertificate(ca, { now: clock.now() }), clock });
  }

  get certificatePem(): string {
    return derToPem(this.identity.certDer);
  }

  async timestamp(digest: Uint8Array, hashAlg: TimestampHash): Promise<Uint8Array> {
    if (this.unavailable) throw new TsaFailure('UNREACHABLE', 'local TSA switched off');
    return createTimestampToken(this.identity, {
      hashAlg,
      digest: Buffer.from(digest),
      genTime: this.clock.now(),
      serialNumber: randomPositiveInteger(16),
      includeCertificates: true,
    });
  }
}

/**
 * The local container's TSA: the embedded TSA for the platform CA, its certificate issued on the
 * first timestamp (a cold start that signs nothing issues none). `unavailable` makes it fail as
 * an unreachable TSA would (the emulator's faults, tests of the retry path).
 */
export class DeferredLocalTsa implements TimestampAuthority {
  private tsa: Promise<LocalTsa> | undefined;
  unavailable = false;

  constructor(
    private readonly ca: () => PlatformCa,
    private readonly clock: Clock,
  ) {}

  /** The TSA's certificate (issued now if no timestamp was asked for yet). */
  async certificatePem(): Promise<string> {
    return (await this.ready()).certificatePem;
  }

  private ready(): Promise<LocalTsa> {
    if (!this.tsa) {
      // The issuing CA signs asynchronously; a failure is forgotten so the next timestamp retries.
      const p = Promise.resolve().then(() => LocalTsa.forPlatformCa(this.ca(), this.clock));
      this.tsa = p;
      p.catch(() => {
        if (this.tsa === p) this.tsa = undefined;
      });
    }
    return this.tsa;
  }

  async timestamp(digest: Uint8Array, hashAlg: TimestampHash): Promise<Uint8Array> {
    if (this.unavailable) throw new TsaFailure('UNREACHABLE', 'local TSA switched off');
    return (await this.ready()).timestamp(digest, hashAlg);
  }
}
