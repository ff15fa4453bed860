import type { ContractDownloadInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { loadAsParty } from '../contracts/repository';
import { AppError } from '../errors';
import { currentFile, fileName } from '../contracts/files';
import { EXTENSIONS, REPAYMENTS, type ExtensionRecord, type RepaymentRecord } from '../repayments/records';

/** Seconds a download link lives: long enough to open, too short to pass around. */
const LINK_SECONDS = 600;

/** C12/T4: a short-lived link to the PDF matching the contract's state (a preview before anyone signed). */
export const contractDownload: Operation<ContractDownloadInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract } = await loadAsParty(deps, input.contractId, openid);
  const link = async (key: string, sha256: string, preview: boolean, name: string) => ({
    url: await deps.files.temporaryUrl(key, LINK_SECONDS),
    expiresAt: new Date(deps.clock.now().getTime() + LINK_SECONDS * 1000).toISOString(),
    sha256, preview, fileName: name,
  });
  if (input.document === 'settlement_certificate') {
    const cert = contract.settlementCertificate;
    if (!cert) throw new AppError('NOT_FOUND', '该借条尚未出具结清证明');
    return link(cert.key, cert.sha256, false, `${contract.contractNo}-结清证明.pdf`);
  }
  if (input.document === 'extension') {
    const ext = input.extensionId ? await deps.store.get<ExtensionRecord>(EXTENSIONS, input.extensionId) : null;
    if (!ext || ext.contractId !== contract._id) throw new AppError('NOT_FOUND', '展期协议不存在');
    return link(ext.document.key, ext.document.sha256, false, `${contract.contractNo}-展期协议.pdf`);
  }
  if (input.document === 'repayment_photo') {
    const r = input.repaymentId ? await deps.store.get<RepaymentRecord>(REPAYMENTS, input.repaymentId) : null;
    if (!r || r.contractId !== contract._id || !r.photo) throw new AppError('NOT_FOUND', '该还款记录没有转账凭证');
    return link(r.photo.key, r.photo.sha256, false, `${contract.contractNo}-还款凭证.${r.photo.contentType === 'image/png' ? 'png' : 'jpg'}`);
  }
  const file = await currentFile(deps, contract);
  return link(file.key, file.sha256, file.preview, fileName(contract));
};
