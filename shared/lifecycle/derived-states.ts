/**
 * Statuses read from other fields, where the stored record does not (yet) say it: a face check
 * stored before face checks had a `status` field, and a check whose time ran out (no job writes
 * `expired`). Pure; imports only the face-check table's types. With it, no stored face check needs
 * a data migration: old records are read through the same names new ones are written with.
 */
import type { FaceCheckStatus } from './face-check';

/** The fields a face check has had since it was first stored (identity/face-checks FaceCheck). */
export interface StoredFaceCheck {
  status?: FaceCheckStatus;
  expiresAt: string;
  usedAt: string | null;
  result: { errCode: number | null; errMsg: string } | null;
}

/**
 * The check's status at `now` (ISO): a spent check is used when the provider passed it (ErrCode
 * 0) and failed otherwise; an unspent one past its expiresAt is expired; else its stored status,
 * or started for a record from before the field.
 */
export const faceCheckStatus = (check: StoredFaceCheck, now: string): FaceCheckStatus => {
  if (check.status === 'used' || check.status === 'failed' || check.status === 'expired') return check.status;
  if (check.usedAt !== null) return check.result?.errCode === 0 ? 'used' : 'failed';
  if (now > check.expiresAt) return 'expired';
  return check.status ?? 'started';
};
