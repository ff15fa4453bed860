/**
 * shared/identity/ owns users' identity proofs — verification codes (N1), signing methods (V2:
 * signing password, WeChat SOTER fingerprint / face ID), the handwritten-signature image check
 * (A5) — as small modules over the ports. Modules here import shared/domain, shared/rules,
 * shared/ports, shared/store/collections and shared/errors only (and node:crypto, node:zlib,
 * pngjs): never runtime, operations, documents or an adapter. Operations pass their Deps (which
 * satisfy `IdentityDeps`) and commit what these modules return.
 *
 * This file: the configuration (config/identity.json), parsed and checked once, and the narrow
 * set of ports the modules need.
 */
import type { Clock } from '../ports/clock';
import type { Ids } from '../ports/ids';
import type { Secrets } from '../ports/secrets';
import type { SoterVerifier } from '../ports/soter';
import type { Store } from '../ports/store';

/** The type and its parser are a pure rule (shared/rules/identity-config.ts), so `Deps` can carry it. */
export type { IdentityConfig } from '../rules/identity-config';
import type { IdentityConfig } from '../rules/identity-config';

/**
 * What the identity modules need from the container. The app's Deps satisfy it once
 * `config.identity` (parseIdentityConfig of config/identity.json), `secrets` and `soter` are in
 * the container; tests build it from the local adapters.
 */
export interface IdentityDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  secrets: Secrets;
  config: { identity: IdentityConfig };
}

export interface SoterDeps extends IdentityDeps {
  soter: SoterVerifier;
}

/** The parser is a pure rule (shared/rules/identity-config.ts), so the composition root may call it. */
export { parseIdentityConfig } from '../rules/identity-config';
