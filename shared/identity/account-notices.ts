/**
 * The texts an account change must have been read and agreed before it happens (A1, A3), with
 * the version the caller echoes back: a call agreeing an older version is refused, so what was
 * agreed is always a text we can show. Worded after the product's guide (个人更名, 个人账号注销).
 */
import { AppError } from '../errors';

export interface AccountNotice {
  title: string;
  version: string;
  points: readonly string[];
}

/** A3: the rename notice and 实名变更协议. */
export const RENAME_AGREEMENT: AccountNotice = {
  title: '实名变更协议',
  version: '2026-12',
  points: [
    '更名须与您身份证件上的姓名一致，身份证号不变，并通过新姓名的人脸识别。',
    '更名后，您原姓名下的所有个人印章和手写签名都将失效，重新生成后方可继续使用。',
    '更名后，您名下所有未完成的合同将终止，无法继续签署，其他签署方会收到短信通知；如需签署，请重新发起。',
    '已签署完成的合同不受影响，仍以签署时的姓名有效。',
  ],
};

/** A1: 注销风险告知书. */
export const DEREGISTER_NOTICE: AccountNotice = {
  title: '账户注销风险告知书',
  version: '2026-12',
  points: [
    '注销前须退出所有企业；如无法联系企业管理员，且您不是企业法定代表人或超级管理员，可申请强制注销。',
    '有处理中的合同（待填写、待签署，或解除、结清申请待处理）时不能注销。',
    '注销后，您的手机号、邮箱、印章与签名、签署方式等个人信息将被删除，账号与微信解除绑定，无法恢复。',
    '已签署的合同及其签署记录、证书和人脸核身记录依法保留（《电子签名法》第二十四条：电子签名认证信息保存至证书失效后五年），其他签署方仍可查看、下载、验签和申请出证。',
  ],
};

/** VALIDATION_FAILED unless the version agreed is the one in force. */
export const requireAgreed = (notice: AccountNotice, version: string, field: string): void => {
  if (version !== notice.version) {
    throw new AppError('VALIDATION_FAILED', `《${notice.title}》已更新，请重新阅读后确认`, { fields: [{ field, rule: 'current_version' }], version: notice.version });
  }
};
