/**
 * The user record, `_id` = the openid, and the real name it carries once verified (identity-verify):
 * name, ID number, phone, birth date, the face check that proved it. `requireRealName` is the gate
 * every act that needs a verified person goes through (IDENTITY_NOT_VERIFIED otherwise).
 */
import { AppError } from '../errors';
import type { Doc } from '../ports/store';
import { collectionName } from '../store/collections';
import { crossBorderBlockers } from '../rules/cross-border';
import type { Deps } from '../ports/operation';
import { partyAt, type Contract } from '../domain/contract';

export const USERS = collectionName('users');

export interface RealName {
  name: string;
  idNumber: string;
  phone: string;
  birthDate: string;
  idKind: 'mainland' | 'hmt';
  verifiedAt: string;
  faceCheckId: string;
}

export interface User extends Doc {
  _id: string; // the openid
  realName: RealName | null;
  /** A4: the bound e-mail address (email-change, proven by a code), the default for C8/C9. */
  email?: string | null;
  /** A6: 跨境签署 switched on (cross-border-set, after a face check); absent = off. */
  crossBorder?: boolean;
  /** A5: the ref of the default seal or handwritten signature (seal-set-default); absent = none chosen. */
  defaultSeal?: string | null;
  /** A3: each rename, kept as the record of the change (the old name signed contracts that stay in force). */
  renames?: Array<{ from: string; to: string; at: string; agreementVersion: string; faceCheckId: string }>;
  /** A1: set when the account was deregistered; the record then holds nothing else of the person. */
  deregistered?: { at: string; forced: boolean; noticeVersion: string; faceCheckId: string };
  createdAt: string;
  updatedAt: string;
}

export const getUser = (deps: Deps, openid: string): Promise<User | null> => deps.store.get<User>(USERS, openid);

/** The caller's verified identity (实名), or IDENTITY_NOT_VERIFIED. */
export const requireRealName = async (deps: Deps, openid: string): Promise<RealName> => {
  const user = await getUser(deps, openid);
  if (!user?.realName) throw new AppError('IDENTITY_NOT_VERIFIED');
  return user.realName;
};

/** A2: is this number the phone of an account other than `openid`? (One number, one account.) */
export const phoneUsedByOther = async (deps: Deps, phone: string, openid: string): Promise<boolean> => {
  const holders = await deps.store.find<User>(USERS, { 'realName.phone': phone }, { limit: 2 });
  return holders.some((u) => u._id !== openid);
};

/** C8/C9: the address typed, else the one bound by email-change (A4); VALIDATION_FAILED when neither. */
export const emailOrBound = async (deps: Deps, openid: string, typed: string | undefined): Promise<string> => {
  if (typed) return typed;
  const bound = (await getUser(deps, openid))?.email;
  if (!bound) throw new AppError('VALIDATION_FAILED', '请填写邮箱地址，或先在个人中心绑定邮箱', { fields: [{ field: '/email', rule: 'required' }] });
  return bound;
};

/**
 * P4 at an act on a contract: with a HK/Macau/Taiwan resident among the parties, every mainland
 * party with an account must have 跨境签署 on (shared/rules/cross-border.ts); CROSS_BORDER_REQUIRED
 * with their indexes otherwise. The id kind comes from the details the contract names.
 */
export const requireCrossBorder = async (deps: Deps, parties: ReadonlyArray<{ openid: string | null; details: { idNumber: string } | null }>): Promise<void> => {
  const rows = await Promise.all(parties.map(async (p) => ({
    idKind: p.details ? (/^8[123]/.test(p.details.idNumber) ? ('hmt' as const) : ('mainland' as const)) : null,
    crossBorder: p.openid ? (await getUser(deps, p.openid))?.crossBorder === true : false,
  })));
  const blockers = crossBorderBlockers(rows);
  if (blockers.length) throw new AppError('CROSS_BORDER_REQUIRED', undefined, { parties: blockers });
};

/** A password or SOTER (and a SOTER challenge) prove the account: the account must be the person this party is. */
export const requireNamedPerson = async (deps: Deps, contract: Contract, index: number, openid: string): Promise<void> => {
  const named = partyAt(contract, index).details;
  const me = (await getUser(deps, openid))?.realName;
  if (!named || !me || named.name !== me.name || named.idNumber !== me.idNumber) {
    throw new AppError('IDENTITY_MISMATCH', '您当前的实名信息与合同中的签署人不一致，请使用人脸识别');
  }
};
