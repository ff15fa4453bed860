import { AppError } from '../errors';
import type { FileImportInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { requireRealName } from '../identity/users';
import { importOwnFile, PREVIEW_URL_SECONDS } from '../contracts/own-files';

/**
 * Prepares an own file for signing (U1): one chat file (`fileID` + `name`) or album/camera images
 * (`images`, in page order). Answers the import id contract-create takes as `fileId`, the pages
 * with their sizes in PDF points, a short-lived preview link and both SHA-256s.
 */
export const fileImport: Operation<FileImportInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  await requireRealName(deps, openid);
  const one = input.fileID !== undefined || input.name !== undefined;
  if (one === (input.images !== undefined) || (one && (input.fileID === undefined || input.name === undefined)))
    throw new AppError('VALIDATION_FAILED', '请上传一个文件，或从相册选择图片', { fields: [{ field: '/', rule: 'fileID+name or images' }] });
  const files = input.images ?? [{ fileID: input.fileID!, name: input.name! }];
  const d = await importOwnFile(deps, openid, { files, source: input.source ?? 'chat' });
  const f = d.ownFile;
  return {
    fileId: d._id,
    type: f.type,
    originalName: f.originalName,
    originalSha256: f.originalSha256,
    pdfSha256: f.pdfSha256,
    pages: f.pages,
    originals: f.originals.map((o) => ({ name: o.name, sha256: o.sha256 })),
    previewUrl: await deps.files.temporaryUrl(f.pdfKey, PREVIEW_URL_SECONDS),
  };
};
