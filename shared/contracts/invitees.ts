/**
 * P3 我来填: how a contract remembers whom the initiator invited by name and ID number without
 * storing a searchable ID number — a keyed hash (HMAC-SHA256 with the deployment's counter key),
 * indexed, so contract-list finds the invitations of a verified user by their own ID number.
 * Imports ports and the domain only.
 */
import { createHmac } from 'node:crypto';
import type { Contract } from '../domain/contract';
import type { Deps } from '../ports/operation';

export const inviteeKey = (deps: Deps, idNumber: string): string =>
  createHmac('sha256', deps.config.rateLimitKey).update(`invitee\u0000${idNumber}`).digest('base64url').slice(0, 32);

/** The keys of the parties after the initiator whose details were typed for them and who are not bound yet. */
export const inviteeKeysOf = (deps: Deps, c: Pick<Contract, 'parties'>): string[] =>
  c.parties.slice(1).filter((p) => p.openid === null && p.details).map((p) => inviteeKey(deps, p.details!.idNumber));
