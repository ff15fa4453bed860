/**
 * Personal seals and handwritten signatures (A5), the records behind them: one per seal (made from
 * the verified name in a style of documents/seal.ts) or handwritten signature (a PNG in the owner's
 * folder), its status moved by lifecycle/seal.ts only, the user's default on the user record.
 *
 * `signingMark` is the one gate between a signing act and the mark it puts on the PDF: only a
 * valid seal or signature of the signer, made for the name the signer is verified under now.
 * A rename invalidates them all (`invalidateAllWrites`, in the rename's commit).
 */
import { AppError } from '../errors';
import { applyRecord, decideRecord, newRecord, SEAL_TABLE, type SealStatus } from '../lifecycle';
import type { CasWrite, Doc } from '../ports/store';
import type { Deps } from '../ports/operation';
import { collectionName } from '../store/collections';
import type { SealShape } from '../documents/seal-styles';
import { USERS, type RealName, type User } from './users';

export const SEALS = collectionName('seals');

export type SealKind = 'seal' | 'handwritten';

export interface SealRecord extends Doc {
  _id: string; // the ref: seal_… or hw_…
  openid: string;
  kind: SealKind;
  /** The seal's style; null for a handwritten signature. */
  style: SealShape | null;
  /** The verified name it was made for: a rename leaves it invalid. */
  name: string;
  status: SealStatus;
  createdAt: string;
  invalidatedAt: string | null;
  deletedAt: string | null;
}

/** What a signing act records on the party's signature and stamps (contracts/pdf.ts reads it). */
export interface SigningMark {
  type: SealKind;
  ref: string | null;
  style?: SealShape;
}

/** Valid and invalid ones (deleted are gone from the user's view), oldest first. */
export const sealsOf = async (deps: Deps, openid: string): Promise<SealRecord[]> =>
  deps.store.find<SealRecord>(SEALS, { openid, status: { $ne: 'deleted' } }, { orderBy: [['createdAt', 'asc']], limit: 100 });

/** At most this many seals and signatures listed at once: the page shows them all. */
export const MAX_SEALS = 20;

export const newSeal = (deps: Deps, fields: { openid: string; kind: SealKind; style: SealShape | null; name: string; ref?: string }): SealRecord =>
  newRecord(SEAL_TABLE, {
    _id: fields.ref ?? deps.ids.id(fields.kind === 'seal' ? 'seal' : 'hw'),
    openid: fields.openid, kind: fields.kind, style: fields.style, name: fields.name,
    createdAt: deps.clock.now().toISOString(), invalidatedAt: null, deletedAt: null,
  });

/** The caller's own record of that ref, or NOT_FOUND (another user's ref is not told apart from none). */
export const ownSeal = async (deps: Deps, openid: string, ref: string): Promise<SealRecord> => {
  const rec = await deps.store.get<SealRecord>(SEALS, ref);
  if (!rec || rec.openid !== openid || rec.status === 'deleted') throw new AppError('NOT_FOUND', '印章或签名不存在');
  return rec;
};

const usable = (rec: SealRecord, realName: RealName): boolean => rec.status === 'valid' && rec.name === realName.name;

/**
 * The mark a signer may sign with (A5): the ref chosen, else (a seal with no ref) the default seal,
 * else — a user who never made one — the personal seal drawn from the verified name. A seal or
 * signature that is not the signer's → VALIDATION_FAILED as a missing one; one left invalid by a
 * rename or made for another name → SEAL_INVALID. Checked before any face check is spent.
 */
export const signingMark = async (deps: Deps, openid: string, requested: { type: SealKind; ref?: string | undefined }): Promise<SigningMark> => {
  const user = await deps.store.get<User>(USERS, openid);
  if (!user?.realName) throw new AppError('IDENTITY_NOT_VERIFIED');
  const realName = user.realName;
  const missing = () => new AppError('VALIDATION_FAILED', requested.type === 'handwritten' ? '请先上传手写签名' : '印章不存在，请先生成印章', { fields: [{ field: '/signature/ref', rule: 'exists' }] });
  let ref = requested.ref ?? null;
  if (!ref && requested.type === 'seal') {
    const seals = (await sealsOf(deps, user._id)).filter((s) => s.kind === 'seal');
    const def = seals.find((s) => s._id === user.defaultSeal);
    const chosen = def ?? seals.find((s) => usable(s, realName)) ?? seals[0];
    // Never made a seal: the one drawn from the verified name (the default style).
    if (!chosen) return { type: 'seal', ref: null };
    ref = chosen._id;
  }
  if (!ref) throw missing();
  const rec = await deps.store.get<SealRecord>(SEALS, ref);
  if (!rec || rec.openid !== user._id || rec.kind !== requested.type || rec.status === 'deleted') throw missing();
  if (!usable(rec, realName)) throw new AppError('SEAL_INVALID', undefined, { ref, status: rec.status });
  return rec.kind === 'seal' ? { type: 'seal', ref, style: rec.style ?? 'square' } : { type: 'handwritten', ref };
};

/** A3: every valid seal and signature of the user → invalid, as compare-and-set writes for the rename's commit. */
export const invalidateAllWrites = async (deps: Deps, openid: string, now: string): Promise<CasWrite[]> => {
  const all = await sealsOf(deps, openid);
  return all
    .map((rec) => ({ rec, d: decideRecord(SEAL_TABLE, rec.status, 'invalidate') }))
    .filter(({ d }) => !d.noop)
    .map(({ rec, d }) => ({ collection: SEALS, doc: applyRecord(rec, d, { invalidatedAt: now }), expectedVersion: rec.version ?? 0 }));
};

/** seal-delete / A1: the record → deleted (kept: a signed contract names it by ref). */
export const deleteWrite = (rec: SealRecord, now: string): CasWrite => ({
  collection: SEALS, doc: applyRecord(rec, decideRecord(SEAL_TABLE, rec.status, 'delete'), { deletedAt: now }), expectedVersion: rec.version ?? 0,
});

/** The list the 印章管理 page shows. */
export const sealView = (rec: SealRecord, user: User) => ({
  ref: rec._id,
  kind: rec.kind,
  style: rec.style,
  name: rec.name,
  status: rec.status,
  isDefault: user.defaultSeal === rec._id,
  createdAt: rec.createdAt,
});
