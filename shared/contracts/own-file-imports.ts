/**
 * Own-file import records (U1), the light half: the collection, the record's shape and reading
 * one as its owner. No PDF code here, so contract-create (which only reads an import) carries
 * none; own-files.ts does the checking and converting.
 *
 * May import: ports, store, errors, domain types.
 */
import { AppError } from '../errors';
import type { Deps } from '../ports/operation';
import type { Doc } from '../ports/store';
import type { OwnFile } from '../domain/contract';

export type { OwnFile };
import { collectionName } from '../store/collections';

export const FILE_IMPORTS = collectionName('fileImports');

export interface FileImportDoc extends Doc {
  _id: string;
  openid: string;
  source: 'chat' | 'album' | 'camera';
  ownFile: OwnFile;
  createdAt: string;
}

/** The caller's import, or NOT_FOUND (someone else's too). */
export const loadImport = async (deps: Deps, id: string, openid: string): Promise<FileImportDoc> => {
  const d = /^fi_[0-9a-z]{9,40}$/.test(id) ? await deps.store.get<FileImportDoc>(FILE_IMPORTS, id) : null;
  if (!d || d.openid !== openid) throw new AppError('NOT_FOUND', '文件不存在，请重新上传');
  return d;
};

// The fileID wx.cloud.uploadFile answers: cloud://<env>.<bucket>/<cloudPath>; the mini-program
// uploads to uploads/<openid>/<random> (storage rule: only the creator reads and writes it).
const FILE_ID = /^cloud:\/\/[A-Za-z0-9._-]{1,120}\/uploads\/([A-Za-z0-9_-]{1,64})\/([A-Za-z0-9_-]{8,64})$/;

/** The storage key of the caller's own upload, rebuilt from checked parts; someone else's is NOT_FOUND. */
export const uploadKey = (fileID: string, openid: string): string => {
  const m = FILE_ID.exec(fileID);
  if (!m || m[1] !== openid) throw new AppError('NOT_FOUND', '文件不存在，请重新上传');
  return `uploads/${m[1]}/${m[2]}`;
};

