/**
 * The one table of domain error codes. Every failure a caller can see is one of these; the
 * runtime maps them to the response envelope `{ ok:false, error:{ code, message, details? } }`
 * and the emulator maps `status` to its HTTP status. Messages are in the product's words
 * (Chinese first, as the mini-program shows them) and never carry personal data.
 */
export const ERRORS = {
  /** The payload does not match the function's JSON Schema or a field rule. */
  VALIDATION_FAILED: { status: 400, message: '提交的信息有误，请检查后重试' },
  /** No caller identity in the platform context (not logged in). */
  UNAUTHENTICATED: { status: 401, message: '请先登录' },
  /** The caller has not completed real-name verification (实名认证). */
  IDENTITY_NOT_VERIFIED: { status: 403, message: '请先完成实名认证' },
  /** The caller is known but may not do this. */
  FORBIDDEN: { status: 403, message: '无权执行此操作' },
  /** No such thing — also what a caller who is not a party gets for a contract that exists. */
  NOT_FOUND: { status: 404, message: '合同不存在或您无权查看' },
  /** The contract's state does not allow this action by this party now (lifecycle table). */
  INVALID_TRANSITION: { status: 409, message: '当前合同状态不支持此操作' },
  /** Someone else changed the same document at the same moment; reload and retry. */
  CONFLICT: { status: 409, message: '合同刚刚被他人更新，请刷新后重试' },
  /** A unique thing exists already (e.g. a share link already claimed by another user). */
  ALREADY_EXISTS: { status: 409, message: '记录已存在' },
  /** Resident ID number invalid (length, checksum, birth date). */
  INVALID_ID_NUMBER: { status: 400, message: '身份证号码无效' },
  /** Mainland mobile number invalid. */
  INVALID_PHONE: { status: 400, message: '手机号码无效' },
  /** Age outside the range of the contract kind (IOU 22–75, receipt 18–75). */
  AGE_OUT_OF_RANGE: { status: 400, message: '年龄不符合要求' },
  /** Amount not positive or not in whole fen. */
  INVALID_AMOUNT: { status: 400, message: '金额无效' },
  /** Amount above the kind's maximum (500,000 CNY for IOU and receipt). */
  AMOUNT_TOO_LARGE: { status: 400, message: '金额超过单笔上限' },
  /** Borrow date earlier than 60 days before today (Asia/Shanghai). */
  BORROW_DATE_TOO_EARLY: { status: 400, message: '借款日期不能早于60天前' },
  /** A date that must follow another does not (e.g. an instalment before the borrow date). */
  INVALID_DATE: { status: 400, message: '日期无效' },
  /** Above 100,000 CNY the IOU's supplementary block (C 区) is mandatory. */
  SUPPLEMENT_REQUIRED: { status: 400, message: '借款金额超过10万元，须填写补充信息' },
  /** Agreed or overdue rate above 4 × the one-year LPR in force. */
  INTEREST_ABOVE_LEGAL_CAP: { status: 400, message: '约定利率超过法定上限（一年期LPR的4倍）' },
  /** The repayment plan does not add up to the principal. */
  REPAYMENT_PLAN_MISMATCH: { status: 400, message: '还款计划金额合计与借款金额不一致' },
  /** Template forms: line items (or shares) do not add up to the stated total (对账单, 买卖, 事故赔偿, 责任比例 …). */
  TOTAL_MISMATCH: { status: 400, message: '明细合计与总额不一致' },
  /** Template forms: a part is larger than the whole it belongs to (e.g. paid more than the total). */
  AMOUNT_EXCEEDS_TOTAL: { status: 400, message: '金额不能超过总额' },
  /** 定金 above 20 % of the contract price (民法典 第586条). */
  DEPOSIT_TOO_HIGH: { status: 400, message: '定金不得超过合同总价款的20%' },
  /** Template forms: the same item appears twice in a list that allows it once (e.g. a cost with two bearers). */
  DUPLICATE_ITEM: { status: 400, message: '同一项目不能重复填写' },
  /** The face check failed, expired, was used already, or belongs to another purpose. */
  IDENTITY_CHECK_FAILED: { status: 403, message: '身份核验未通过' },
  /** The details entered do not match the caller's verified identity. */
  IDENTITY_MISMATCH: { status: 403, message: '填写的身份信息与您的实名信息不一致' },
  /** Initiation waits for payment. */
  PAYMENT_REQUIRED: { status: 402, message: '请先完成支付' },
  /** The price the page showed is no longer the price (quota, card or coupon changed): quote again (F1). */
  PRICE_CHANGED: { status: 409, message: '费用已变化，请确认新的金额后再支付' },
  /** The coupon picked cannot be used here: not the caller's, used, held by another payment, expired, or not for this item. */
  COUPON_UNAVAILABLE: { status: 409, message: '该优惠券不可用' },
  /** E3: the contract's last event is not anchored in time yet (the anchor timer runs every few minutes). */
  EVIDENCE_NOT_READY: { status: 409, message: '证据正在固化存证，请几分钟后再下载证据包' },
  /** Too many requests of this kind (e.g. 催办). */
  RATE_LIMITED: { status: 429, message: '操作过于频繁，请稍后再试' },
  UNSUPPORTED_FILE_TYPE: { status: 400, message: '不支持的文件类型' },
  /** U1: the file is over the size limit (20 MB a file, 10 MB an image), or has more pages / unpacks to more than the bounded limits (details.limit). */
  FILE_TOO_LARGE: { status: 400, message: '文件过大，请上传不超过 20MB 的文件（图片不超过 10MB）' },
  /** U1: the file cannot be read: encrypted or password-protected, no pages, truncated or corrupt (details.reason). */
  FILE_UNREADABLE: { status: 400, message: '文件已加密或已损坏，无法读取，请上传未加密的完整文件' },
  /** N1: the verification code entered is wrong, was used already, or was never sent to this destination (details.reason, details.attemptsLeft). */
  CODE_INVALID: { status: 400, message: '验证码错误，请重新输入' },
  /** N1: the code is older than its validity (5 minutes): ask for a new one. */
  CODE_EXPIRED: { status: 400, message: '验证码已过期，请重新获取' },
  /** N1: too many wrong entries (5): this code is void; ask for a new one. */
  CODE_LOCKED: { status: 400, message: '验证码错误次数过多，已失效，请重新获取' },
  /** A2/identity-verify: the caller is verified already and the phone differs: change it with phone-change (a code to the new number, then a face check). */
  USE_PHONE_CHANGE: { status: 409, message: '您已完成实名认证，如需更换手机号，请使用“更换手机号”' },
  /** identity-verify: the caller is verified already and the name differs: that is a rename (A3). */
  USE_RENAME: { status: 409, message: '您已完成实名认证，如需变更姓名，请使用“个人更名”' },
  /** identity-verify: the caller is verified already under another ID number: an account belongs to one person for good. */
  ID_NUMBER_FIXED: { status: 409, message: '该账号已绑定其他身份证号，不能更换' },
  /** A2: the new number is already the phone of another account (details say nothing of which). */
  PHONE_IN_USE: { status: 409, message: '该手机号已绑定其他账号' },
  /** A2: the new number is the account's current phone. */
  PHONE_UNCHANGED: { status: 400, message: '新手机号与当前手机号相同' },
  /** A6/P4: a party is a HK/Macau/Taiwan resident and a mainland party has not switched 跨境签署 on (details.parties: their indexes). */
  CROSS_BORDER_REQUIRED: { status: 409, message: '合同一方为港澳台居民，内地签署方需先在个人中心开启“跨境签署”' },
  /** A5: the image cannot be decoded (truncated, bad checksum, bad compressed data). */
  IMAGE_UNREADABLE: { status: 400, message: '图片已损坏或无法识别，请重新上传' },
  /** A5/A3: the seal or handwritten signature chosen is no longer valid (a rename left it 已失效, or it was deleted): choose or make a valid one. */
  SEAL_INVALID: { status: 409, message: '该印章或签名已失效，请重新生成印章或上传签名' },
  /** A3: the contract was ended because a party changed their real name (更名); it can no longer be signed. */
  CONTRACT_ENDED_BY_RENAME: { status: 409, message: '一方已办理个人更名，该合同已终止，无法继续签署' },
  /** A3: the new name is the name the account is verified under already. */
  NAME_UNCHANGED: { status: 400, message: '新姓名与当前实名姓名相同' },
  /** A1: the user still has contracts in progress (to fill, to sign, or a rescind/settle request open) (details.contracts). */
  CONTRACTS_IN_PROGRESS: { status: 409, message: '您还有未完成的合同，请处理完毕后再注销账号' },
  /** A1: the user belongs to an enterprise (details.enterprises, details.canForce): leave it first, or force when its administrator cannot be reached. */
  ENTERPRISE_MEMBER: { status: 409, message: '您已加入企业，请先退出企业后再注销；如无法联系企业管理员，可申请强制注销' },
  /** A1: a legal representative or super administrator of an enterprise cannot be deregistered by force. */
  FORCED_DEREGISTER_REFUSED: { status: 403, message: '您是企业的法定代表人或超级管理员，不能强制注销，请先完成企业变更' },
  /** V2: the signing password entered is wrong (details.attemptsLeft). */
  SIGNING_PASSWORD_INCORRECT: { status: 403, message: '签署密码错误' },
  /** V2: too many wrong signing passwords: locked for a while (details.retryAfterSeconds); face recognition stays available. */
  SIGNING_PASSWORD_LOCKED: { status: 423, message: '签署密码错误次数过多，已锁定，请稍后再试或使用人脸识别' },
  /** V2: the user has not set a signing password (set one after a face check, or use face recognition). */
  SIGNING_PASSWORD_NOT_SET: { status: 409, message: '您尚未设置签署密码' },
  /** V2: the signing method chosen is not switched on for this user (面容 ID / 指纹 / 签署密码). */
  SIGNING_METHOD_NOT_ENABLED: { status: 409, message: '您尚未开启该签署验证方式' },
  /** V2: the fingerprint / face ID (WeChat SOTER) result is not valid for this act (details.reason). */
  SOTER_VERIFY_FAILED: { status: 403, message: '指纹或面容 ID 验证未通过，请重试或使用人脸识别' },
  /** Contracts with more than two parties need a new release agreement. */
  MULTI_PARTY_RESCIND_UNSUPPORTED: { status: 409, message: '超过两方签署的合同暂不支持解除，如需解除，请各签署方另行签署一份解除协议' },
  /**
   * A signer of an own file acts before their turn in the signing order (C5). Details name whose
   * turn it is: `turn: [{ index, side, role, name }]` (names only — the signers see each other's names).
   */
  NOT_YOUR_TURN: { status: 409, message: '还未轮到您签署，请等待前序签署方完成签署' },
  /** L1: a repayment larger than everything the IOU still owes (details.totalOutstandingFen). */
  REPAYMENT_EXCEEDS_BALANCE: { status: 400, message: '还款金额超过尚欠金额' },
  /** L3: a demand notice when nothing is overdue today. */
  NOTHING_OVERDUE: { status: 409, message: '目前没有逾期未还的款项，无需催告' },
  /** L3: an extension is already waiting for an answer (details.extensionId). */
  EXTENSION_PENDING: { status: 409, message: '已有待处理的展期申请' },
  /** An external provider (face check, SMS, payment…) failed or refused. */
  PROVIDER_ERROR: { status: 502, message: '服务暂时不可用，请稍后再试' },
  /** A bug. Logged with the request id; nothing more is said to the caller. */
  INTERNAL: { status: 500, message: '系统繁忙，请稍后再试' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'AppError';
  }
}

export const fail = (code: ErrorCode, message?: string, details?: Record<string, unknown>): never => {
  throw new AppError(code, message, details);
};

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
