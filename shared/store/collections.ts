/**
 * Every collection and index, declared once. The SQLite adapter creates them on open; the
 * CloudBase setup command creates the same collections and indexes in the cloud.
 *
 * An index lists fields in order; a field holding an array is indexed per element (a MongoDB
 * multikey index), which is how "contracts where I am a party" stays index-backed.
 */
export interface IndexSpec {
  name: string;
  fields: Array<[field: string, direction: 'asc' | 'desc']>;
  unique?: boolean;
}

export interface CollectionSpec {
  name: string;
  /** Fields that hold arrays of scalars and are queried by element. */
  arrayFields?: string[];
  indexes: IndexSpec[];
}

export const COLLECTIONS = {
  users: { name: 'users', indexes: [{ name: 'phone', fields: [['realName.phone', 'asc']] }] },
  contracts: {
    name: 'contracts',
    arrayFields: ['memberOpenids', 'inviteeKeys'],
    indexes: [
      // 我来填 invitations (P3): by the invited person's keyed ID-number hash.
      { name: 'invitee', fields: [['inviteeKeys', 'asc']] },
      // My contracts (C7): by member, newest first, optionally by state.
      { name: 'member_updated', fields: [['memberOpenids', 'asc'], ['updatedAt', 'desc']] },
      // Expiry timer (C2/S1): due set only.
      { name: 'state_expires', fields: [['state', 'asc'], ['expiresAt', 'asc']] },
      // Share links (P3).
      { name: 'share_token', fields: [['shareToken', 'asc']], unique: true },
      // E2 anchor timer: the contracts whose chain moved in a window.
      { name: 'updated', fields: [['updatedAt', 'asc']] },
    ],
  },
  events: {
    name: 'events',
    indexes: [{ name: 'contract_seq', fields: [['contractId', 'asc'], ['seq', 'asc']], unique: true }],
  },
  faceChecks: {
    name: 'face_checks',
    indexes: [{ name: 'openid_created', fields: [['openid', 'asc'], ['createdAt', 'desc']] }],
  },
  repayments: {
    name: 'repayments',
    // The ledger (L1): an IOU's repayments, in the order recorded.
    indexes: [{ name: 'contract_created', fields: [['contractId', 'asc'], ['createdAt', 'asc']] }],
  },
  extensions: {
    name: 'extensions',
    // 展期 (L3): an IOU's proposals, in order.
    indexes: [{ name: 'contract_created', fields: [['contractId', 'asc'], ['createdAt', 'asc']] }],
  },
  demands: {
    name: 'demands',
    // 催告 (L3): an IOU's demand notices, in order.
    indexes: [{ name: 'contract_created', fields: [['contractId', 'asc'], ['createdAt', 'asc']] }],
  },
  reminders: {
    name: 'reminders',
    // Repayment-reminder timer (I8/S1): pending ones due by today.
    indexes: [
      { name: 'status_due', fields: [['status', 'asc'], ['dueDate', 'asc']] },
      { name: 'contract', fields: [['contractId', 'asc']] },
    ],
  },
  orders: {
    name: 'orders',
    indexes: [
      { name: 'contract', fields: [['contractId', 'asc']] },
      // Reconcile timer (F2): unpaid orders older than N minutes, oldest first.
      { name: 'status_created', fields: [['status', 'asc'], ['createdAt', 'asc']] },
      // At most one unpaid order per thing paid for (a contract's initiation, a user's card):
      // `openFor` is set while the order is open and null once paid or closed.
      { name: 'open_for', fields: [['openFor', 'asc']], unique: true },
      // Reconcile timer (C9): paid evidence reports not yet sent, due for a (re)try.
      { name: 'report_retry', fields: [['report.retryAt', 'asc']] },
    ],
  },
  // 省钱月卡: one document per user (`card_<openid>`), read by id.
  cards: { name: 'saver_cards', indexes: [] },
  coupons: {
    name: 'coupons',
    indexes: [
      // 我的优惠券: by owner, soonest to lapse first.
      { name: 'owner_expires', fields: [['openid', 'asc'], ['expiresAt', 'asc']] },
      // Reconcile timer: coupons held by a payment that never completed.
      { name: 'status_held', fields: [['status', 'asc'], ['heldAt', 'asc']] },
    ],
  },
  // U4 free initiations: one document per use, `_id` = openid + China month + slot number, so the
  // quota can never be exceeded (a second use of a slot is a duplicate id) and is counted by index.
  quotaUses: {
    name: 'quota_uses',
    indexes: [{ name: 'owner_month', fields: [['openid', 'asc'], ['month', 'asc']] }],
  },
  // M1: every SMS and email leaves through this queue, written in the same commit as the change that
  // caused it (shared/messages/outbox.ts); the delivery timer reads the due set by status and time.
  messages: {
    name: 'messages',
    indexes: [
      { name: 'status_next', fields: [['status', 'asc'], ['nextAttemptAt', 'asc']] },
      { name: 'contract_created', fields: [['contractId', 'asc'], ['createdAt', 'asc']] },
    ],
  },
  sms: {
    name: 'sms_outbox',
    indexes: [{ name: 'created', fields: [['createdAt', 'asc']] }],
  },
  emails: {
    name: 'email_outbox',
    indexes: [{ name: 'created', fields: [['createdAt', 'asc']] }],
  },
  // Rate-limit counters (shared/messages/rate-limits.ts), one per action × scope × keyed-hash subject,
  // read by id; `expiresAt` lets housekeeping remove the ones that no longer count.
  // Own files prepared by file-import (U1): the caller's, newest first (also the per-day bound).
  fileImports: { name: 'file_imports', indexes: [{ name: 'owner_created', fields: [['openid', 'asc'], ['createdAt', 'desc']] }] },
  rateLimits: { name: 'rate_limits', indexes: [{ name: 'expires', fields: [['expiresAt', 'asc']] }] },
  // Subscription-message consent (shared/messages/subscriptions.ts): one per user, `subs_<openid>`, read by id.
  subscriptions: { name: 'subscriptions', indexes: [] },
  // Subscription messages as the local WeChat adapter "sends" them (the emulator shows them, like the SMS outbox).
  subscribeOutbox: {
    name: 'subscribe_outbox',
    indexes: [{ name: 'created', fields: [['createdAt', 'asc']] }],
  },
  // A contract's share material (P3, contract-share): its 小程序码's stored key and its URL Link, by contract id, reused until the link nears its end.
  shareLinks: { name: 'share_links', indexes: [] },
  // URL Links made by the local WeChat adapter (emulator), served at /_emulator/urllink/<id>.
  urlLinks: { name: 'url_links', indexes: [] },
  // A5 personal seals and handwritten signatures (shared/identity/seals.ts): one document each,
  // `_id` = its ref (seal_… / hw_…), listed by owner; the status moves by lifecycle/seal.ts.
  seals: { name: 'seals', indexes: [{ name: 'openid_created', fields: [['openid', 'asc'], ['createdAt', 'asc']] }] },
  // A1 enterprise membership, the port the operator fills (shared/identity/enterprise.ts): one
  // document per membership, found by the member's openid; read-only for the backend.
  enterpriseMembers: { name: 'enterprise_members', indexes: [{ name: 'openid', fields: [['openid', 'asc']] }] },
  // N1 verification codes (shared/identity/verification-codes.ts): one document per user and
  // purpose (`vc_<purpose>_<openid>`), replaced on every resend; only a keyed hash of the code.
  verificationCodes: { name: 'verification_codes', indexes: [] },
  // N1/M2 daily caps: one document per code sent, `_id` = scope key + China day + slot number, so
  // a cap can never be exceeded (a second use of a slot is a duplicate id); counted by index.
  verificationSends: {
    name: 'verification_sends',
    indexes: [{ name: 'key_day', fields: [['key', 'asc'], ['day', 'asc']] }],
  },
  // E2 audit anchors (operations/timer-anchor.ts): one per run that found changed chains — the
  // Merkle root over their signed heads, its tree size and the TSA's token over it; plus `state`,
  // the window the last anchor covered (compare-and-set, so two runs never anchor the same window).
  anchors: { name: 'anchors', indexes: [] },
  // One inclusion proof per anchored head, `_id` = contract id + ':' + seq (a head is anchored once).
  anchorProofs: { name: 'anchor_proofs', indexes: [{ name: 'contract_seq', fields: [['contractId', 'asc'], ['seq', 'asc']] }] },
  // V2 signing methods (shared/identity/signing-password.ts, soter.ts): one document per user
  // (`_id` = openid): the password's scrypt hash and lock, the SOTER modes switched on.
  signingMethods: { name: 'signing_methods', indexes: [] },
  // V2 SOTER challenges: `_id` = the challenge itself (random), bound to user, contract and act.
  soterChallenges: {
    name: 'soter_challenges',
    indexes: [{ name: 'openid_created', fields: [['openid', 'asc'], ['createdAt', 'desc']] }],
  },
  // V2: a signing password's use for one act (shared/identity/proof.ts): what the act's event names.
  signingProofs: {
    name: 'signing_proofs',
    indexes: [{ name: 'contract_at', fields: [['contractId', 'asc'], ['at', 'asc']] }],
  },
} as const satisfies Record<string, CollectionSpec>;

export type CollectionKey = keyof typeof COLLECTIONS;
export const collectionName = (key: CollectionKey): string => COLLECTIONS[key].name;
export const ALL_COLLECTIONS: CollectionSpec[] = Object.values(COLLECTIONS) as CollectionSpec[];
