/**
 * Enterprise membership (A1), the port the operator fills: the backend has no enterprise accounts
 * of its own, so who belongs to which enterprise, and as what, is a collection the operator writes
 * (from the enterprise product's roster) and the backend only reads. The local emulator seeds it
 * (emulator/seed-enterprises.ts). One document per membership, found by the member's openid.
 */
import type { Doc } from '../ports/store';
import type { Deps } from '../ports/operation';
import { collectionName } from '../store/collections';

export const ENTERPRISE_MEMBERS = collectionName('enterpriseMembers');

export type EnterpriseRole = 'member' | 'admin' | 'super_admin' | 'legal_representative';

export interface EnterpriseMembership extends Doc {
  _id: string;
  openid: string;
  enterpriseName: string;
  roles: EnterpriseRole[];
}

/** Roles that can never leave by a forced deregistration: the enterprise would be left without them (A1). */
export const BLOCKING_ROLES: readonly EnterpriseRole[] = ['legal_representative', 'super_admin'];

export const membershipsOf = (deps: Deps, openid: string): Promise<EnterpriseMembership[]> =>
  deps.store.find<EnterpriseMembership>(ENTERPRISE_MEMBERS, { openid }, { limit: 50 });

export const mayForce = (memberships: readonly EnterpriseMembership[]): boolean =>
  memberships.every((m) => !m.roles.some((r) => BLOCKING_ROLES.includes(r)));
