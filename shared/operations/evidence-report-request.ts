import { AppError } from '../errors';
import type { ContractState } from '../domain/contract';
import type { EvidenceReportRequestInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../runtime/operation';
import { loadAsParty, loadContract } from './kit/contracts';
import { evidenceData, produceEvidenceReport } from './kit/evidence';
import { sendSms } from './kit/notify';
import { recordChange } from './kit/record';

const REPORTABLE: readonly ContractState[] = ['signed', 'rescind_pending', 'settle_pending', 'rescinded', 'settled'];

/**
 * C9 出证报告: a party asks for the signing report by email. It is produced now (signed by the
 * platform), emailed with the report attached, recorded in the contract's audit trail, and an SMS
 * tells the party it was sent. (The fee, where the template charges one, is the payments work's.)
 */
export const evidenceReportRequest: Operation<EvidenceReportRequestInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract, role } = await loadAsParty(deps, input.contractId, openid);
  if (!REPORTABLE.includes(contract.state) || !contract.document) throw new AppError('INVALID_TRANSITION', '双方完成签署后才能申请签署报告');
  const reportNo = `BG${contract.contractNo.slice(2)}${deps.ids.token(4).replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, 4)}`;
  const report = await produceEvidenceReport(deps, await evidenceData(deps, contract, reportNo));
  const key = `reports/${contract._id}/${reportNo}.pdf`;
  await deps.files.put(key, report.bytes, 'application/pdf');
  const mail = await deps.mailer.send({
    to: input.email,
    subject: `《${contract.title}》${contract.contractNo} 签署报告 ${reportNo}`,
    text: `您好，附件为《${contract.title}》（合同编号 ${contract.contractNo}）的签署报告（报告编号 ${reportNo}）。\n报告 SHA-256：${report.sha256}\n报告由平台数字签名，可使用 Adobe Acrobat 等工具校验。`,
    attachments: [{ filename: `签署报告-report-${reportNo}.pdf`, contentType: 'application/pdf', content: report.bytes }],
  });
  if (!mail.ok) throw new AppError('PROVIDER_ERROR', '邮件发送失败，请稍后再试');
  const after = await recordChange(deps, () => loadContract(deps, contract._id), (c) => ({
    contract: c,
    events: [{ type: 'report_sent', actor: { role, openid }, data: { reportNo, reportSha256: report.sha256, documentSha256: contract.document!.currentSha256 } }],
  }));
  await sendSms(deps, after, role, 'report_sent', input.email.replace(/^(.).*(@.*)$/, '$1***$2'));
  return { reportNo, sha256: report.sha256, sentTo: input.email };
};
