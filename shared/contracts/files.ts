/** Which file a contract has now, for download and email (C8, C12). */
import { AppError } from '../errors';
import type { Contract } from '../domain/contract';
import type { Deps } from '../ports/operation';
// The PDF code (pdf-lib, fontkit, the renderer) is loaded on the first preview only: once anyone
// has signed, a download or an email needs no PDF work, and the function's cold start should not
// pay for evaluating it (issue 17).
const pdfCode = async () => {
  const [{ watermarkPreview }, { renderContract }] = await Promise.all([import('../documents/watermark'), import('./pdf')]);
  return { watermarkPreview, renderContract };
};

export const fileName = (c: Contract): string => `${c.title}-${c.contractNo}.pdf`;

/**
 * The PDF matching the contract's state: the latest signed revision once anyone has signed (a
 * rescinded or settled contract's carries the platform's stamp); before that, a preview rendered
 * from the form as it stands (T4 预览合同), marked 预览 on every page.
 */
export const currentFile = async (deps: Deps, c: Contract): Promise<{ key: string; sha256: string; preview: boolean }> => {
  if (c.document) return { key: c.document.currentKey, sha256: c.document.currentSha256, preview: false };
  // An own file before anyone signed: the prepared PDF itself (U1).
  if (c.ownFile) return { key: c.ownFile.pdfKey, sha256: c.ownFile.pdfSha256, preview: true };
  // Watermarked 预览 and never signed (signRevision renders its own, unmarked original).
  const { watermarkPreview, renderContract } = await pdfCode();
  const rendered = await watermarkPreview((await renderContract(c)).bytes);
  // The key names the content (the render is deterministic), so writing it again writes the same
  // bytes: cheaper than downloading the whole file to learn whether it is there.
  const key = `contracts/${c._id}/preview-${rendered.sha256.slice(0, 16)}.pdf`;
  await deps.files.put(key, Buffer.from(rendered.bytes), 'application/pdf');
  return { key, sha256: rendered.sha256, preview: true };
};

export const readFile = async (deps: Deps, key: string): Promise<Buffer> => {
  const bytes = await deps.files.get(key);
  if (!bytes) throw new AppError('INTERNAL');
  return bytes;
};
