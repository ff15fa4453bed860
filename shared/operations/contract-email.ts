import { AppError } from '../errors';
import { SIGNED_STATES } from '../domain/contract';
import type { ContractEmailInput } from '../generated/schema-types';
import { requireCaller, type Operation } from '../ports/operation';
import { loadAsParty } from '../contracts/repository';
import { currentFile, fileName } from '../contracts/files';
import { deliverNow, MESSAGES, outboxAppend, storedEmailRow, type OutboxRow } from '../messages/outbox';
import { commitLimited } from '../messages/limits';
import { STATE_LABELS } from '../contracts/views';
import { emailOrBound } from '../identity/users';

/** C8: signed, partly rescinded/settled (a request pending) and rescinded/settled contracts. */

/** C8/N2: emails the PDF matching the contract's state to an address the party gives. */
export const contractEmail: Operation<ContractEmailInput> = async (input, ctx) => {
  const { openid } = requireCaller(ctx);
  const { deps } = ctx;
  const { contract } = await loadAsParty(deps, input.contractId, openid);
  if (!SIGNED_STATES.includes(contract.state)) throw new AppError('INVALID_TRANSITION', '合同签署完成后才能发送至邮箱');
  const email = await emailOrBound(deps, openid, input.email);
  const file = await currentFile(deps, contract);
  // Through the outbox (M1): a provider failure is retried by timer-outbox, never the caller's error.
  const row = storedEmailRow(deps, contract._id, {
    to: email,
    subject: `《${contract.title}》${contract.contractNo}（${STATE_LABELS[contract.state]}）`,
    text: `您好，附件为《${contract.title}》（合同编号 ${contract.contractNo}，状态：${STATE_LABELS[contract.state]}）的电子合同文件。\n文件 SHA-256：${file.sha256}\n文件中的数字签名可使用 Adobe Acrobat 等工具校验。`,
  }, [{ filename: fileName(contract), contentType: 'application/pdf', key: file.key }]);
  // M2: the counters (this party on this contract, the address, the caller) and the row in one commit.
  await commitLimited(deps, 'contract_email', { contractId: contract._id, caller: openid, destination: email.trim().toLowerCase() }, () => outboxAppend([row]));
  await deliverNow(deps, [row]);
  const after = await deps.store.get<OutboxRow>(MESSAGES, row._id);
  return { sent: after?.status === 'sent', to: email, sha256: file.sha256 };
};
