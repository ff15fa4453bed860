/**
 * The single list of cloud functions. `functions/<name>/index.ts`, `schemas/functions/<name>.json`,
 * the bundles and cloudbaserc.json must all agree with it (a test checks).
 *   call    — invoked by the mini-program (wx.cloud.callFunction / the emulator's POST /fn/<name>)
 *   timer   — SCF timer trigger, 7-field cron (second minute hour day month week year)
 *   webhook — HTTP trigger (payment notifications)
 *   operator — for the platform's operators only (customer service's refunds): no trigger, and
 *              refused to every mini-program or client-SDK caller; invoked through the Tencent
 *              Cloud API under CAM (scripts/refund.ts), locally at POST /operator/<name>
 *
 * Each function also declares the provider ports it calls (`ports`) and whether it renders PDFs
 * (`pdf`): scripts/build.ts bundles a port's production client, and the fonts, only for the
 * functions that declare them, and test/cloud/deploy.test.ts fails when a declaration is not what
 * the function's code calls and its bundle carries.
 */
/** The ports whose production client is heavy enough to leave out of a bundle that never calls it. */
export const PROVIDER_PORTS = ['face', 'sms', 'mailer', 'payments'] as const;
export type ProviderPort = (typeof PROVIDER_PORTS)[number];

export interface FunctionSpec {
  name: string;
  kind: 'call' | 'timer' | 'webhook' | 'operator';
  /** Timers: SCF cron, 7 fields, Asia/Shanghai. */
  schedule?: string;
  memoryMb: number;
  timeoutS: number;
  summary: string;
  /** The provider ports the function calls (directly or through the modules it reaches). */
  ports: readonly ProviderPort[];
  /** Renders or signs PDFs (pdf-lib, fonts). */
  pdf: boolean;
}

interface Uses {
  ports?: readonly ProviderPort[];
  pdf?: boolean;
}

const call = (name: string, summary: string, uses: Uses = {}, memoryMb = 256, timeoutS = 10): FunctionSpec =>
  ({ name, kind: 'call', memoryMb, timeoutS, summary, ports: uses.ports ?? [], pdf: uses.pdf ?? false });

export const FUNCTIONS: readonly FunctionSpec[] = [
  call('user-profile', 'The caller\'s profile and real-name status'),
  call('face-start', 'Start a face check (人脸核身) for a purpose', { ports: ['face'] }),
  call('identity-verify', 'First-time real-name verification with a passed face check; a verified account is told where to go instead', { ports: ['face'] }),
  call('verification-code-send', 'A six-digit code to a new phone or e-mail address (N1), rate-limited', { ports: ['mailer', 'sms'] }),
  call('email-change', 'A4: bind the e-mail address a code was sent to (the default for C8/C9)'),
  call('cross-border-set', 'A6: switch signing with HK/Macau/Taiwan residents on or off, after a face check', { ports: ['face'] }),
  call('signing-method-set', 'V2: the signing password and fingerprint / face ID: set, change, reset, switch on (each after a face check) or off', { ports: ['face'] }),
  call('signing-challenge', 'V2: a one-time SOTER challenge bound to the caller, contract and act'),
  call('phone-change', 'A2: change the phone with its code and a face check; a notice to the old number', { ports: ['face', 'mailer', 'sms'] }),
  call('template-list', 'The template catalogue: titles, roles, fee rule, version'),
  call('template-get', 'One template: form schema, field labels, defaults, the example\'s contract text'),
  call('contract-create', 'Create a draft contract of any kind (IOU, receipt, templates)'),
  call('contract-pay', 'Pay the initiation fee: price it, then initiate at 0 or place the WeChat Pay order', { ports: ['mailer', 'payments', 'sms'] }),
  call('fee-quote', 'What this will cost now and why (quota, saver card, coupons)'),
  call('card-buy', 'Buy the saver card (省钱月卡)', { ports: ['mailer', 'payments', 'sms'] }),
  call('coupon-list', 'My coupons (我的优惠券)'),
  call('contract-get', 'Contract detail for a party'),
  call('contract-list', 'My contracts with status filter and paging'),
  call('contract-share', 'The share token, 小程序码 and URL Link of a contract (P3)'),
  call('share-open', 'Open a share link; bind as the other party'),
  call('notify-subscribe', 'Record the subscription-message templates the user accepted (N1)'),
  call('contract-fill', 'The other party confirms their details', { ports: ['mailer', 'sms'] }),
  call('contract-sign', 'Sign after a face check', { ports: ['face', 'mailer', 'sms'], pdf: true }, 512, 20),
  call('contract-reject', 'Refuse to sign (拒签) or to accept a receipt (拒绝领取), with a reason', { ports: ['mailer', 'sms'] }),
  call('contract-issue', 'Issue a payer-initiated receipt (确认开具), no fee', { ports: ['mailer', 'sms'] }),
  call('contract-accept', 'Accept a payee-initiated receipt (确认领取) after a face check', { ports: ['face', 'mailer', 'sms'], pdf: true }, 512, 20),
  call('contract-revoke', 'Withdraw (撤销) by the initiator', { ports: ['mailer', 'payments', 'sms'] }),
  call('contract-urge', 'Re-send the SMS to the other party (催办)', { ports: ['mailer', 'sms'] }),
  call('rescind-request', 'Request rescission (申请解除)', { ports: ['face', 'mailer', 'sms'] }),
  call('rescind-cancel', 'Cancel one\'s rescission request', { ports: ['face', 'mailer', 'sms'] }),
  call('rescind-confirm', 'Confirm the other party\'s rescission request', { ports: ['face', 'mailer', 'sms'], pdf: true }, 512, 20),
  call('rescind-refuse', 'Refuse the other party\'s rescission request', { ports: ['face', 'mailer', 'sms'] }),
  call('settle-request', 'Request settlement of an IOU (申请结清)', { ports: ['face', 'mailer', 'sms'] }),
  call('settle-cancel', 'Cancel one\'s settlement request', { ports: ['face', 'mailer', 'sms'] }),
  call('settle-confirm', 'Confirm the other party\'s settlement request', { ports: ['face', 'mailer', 'sms'], pdf: true }, 512, 20),
  call('settle-refuse', 'Refuse the other party\'s settlement request', { ports: ['face', 'mailer', 'sms'] }),
  call('reminder-set', 'Switch repayment SMS reminders on or off'),
  call('signature-upload', 'A5: upload a handwritten signature PNG (decoded whole: a corrupt image is refused now)'),
  call('seal-create', 'A5: a personal seal drawn from the verified name, in one of the offered styles'),
  call('seal-list', 'A5: my seals and handwritten signatures with their status and the default'),
  call('seal-set-default', 'A5: choose the default seal or handwritten signature'),
  call('seal-delete', 'A5: delete one of my seals or handwritten signatures'),
  call('rename-preview', 'A3: the rename notice and agreement, and the unfinished contracts a rename ends'),
  call('rename', 'A3: rename after a face check under the new name; seals invalid, unfinished contracts ended (their parties told)', { ports: ['face', 'mailer', 'payments', 'sms'] }),
  call('account-deregister', 'A1: deregister (no contract in progress, no enterprise unless forced) after a face check; personal data erased, signed contracts kept', { ports: ['face'] }),
  call('file-import', 'Check and prepare an own file or images as PDF pages (U1)', { pdf: true }, 1024, 60),
  call('contract-download', 'Short-lived link to the PDF in its current state', { pdf: true }, 512),
  call('contract-email', 'Email the PDF matching the contract\'s state', { ports: ['mailer', 'sms'], pdf: true }, 512),
  call('contract-certificates', 'The signing certificates of a contract'),
  call('contract-events', 'A contract\'s timeline: every event, who did it, with which identity check'),
  call('contract-verify', 'Verify the PDF\'s signatures and the audit chain', { pdf: true }, 512),
  call('legal-service', 'Legal service (法律服务): notice and link-outs after signing'),
  call('precedents-list', 'Judicial precedents (司法判例) about IOUs'),
  call('repayment-record', 'Record a repayment of a signed IOU (L1); the lender\'s own record counts at once', { ports: ['face', 'mailer', 'sms'] }),
  call('repayment-confirm', 'The lender confirms a recorded repayment after a face check (L1)', { ports: ['face', 'mailer', 'sms'] }),
  call('repayment-dispute', 'The lender disputes a recorded repayment (L1)', { ports: ['mailer', 'sms'] }),
  call('ledger-get', 'What an IOU owes on a day, with its repayments, extensions and demand notices (L1–L3)'),
  call('extension-propose', 'Propose a new repayment plan (展期) and sign the agreement (L3)', { ports: ['face', 'mailer', 'sms'], pdf: true }, 512, 20),
  call('extension-sign', 'The other party signs the extension agreement (L3)', { ports: ['face', 'mailer', 'sms'], pdf: true }, 512, 20),
  call('extension-refuse', 'The other party declines a proposed extension (L3)', { ports: ['mailer', 'sms'] }),
  call('demand-send', 'The lender sends a formal demand (催告) for what is overdue (L3)', { ports: ['mailer', 'sms'] }),
  call('contract-evidence', 'Short-lived link to the evidence bundle (zip) that esign-verify checks offline', { pdf: true }, 512, 20),
  call('evidence-report-request', 'Produce, sign and email the evidence report', { ports: ['mailer', 'payments', 'sms'], pdf: true }, 512, 30),
  { name: 'timer-expire', kind: 'timer', schedule: '0 */10 * * * * *', memoryMb: 256, timeoutS: 300, summary: 'Expire contracts 30 days after initiation', ports: ['mailer', 'sms'], pdf: false },
  { name: 'timer-repayment-reminders', kind: 'timer', schedule: '0 0 9 * * * *', memoryMb: 256, timeoutS: 300, summary: 'One SMS per due instalment, 09:00 daily', ports: ['mailer', 'sms'], pdf: false },
  // M1: retries what the post-commit attempt could not deliver (backoff in lifecycle/message.ts).
  { name: 'timer-outbox', kind: 'timer', schedule: '0 */1 * * * * *', memoryMb: 512, timeoutS: 120, summary: 'Deliver the outbox: retry SMS and email the provider failed with a retryable error; produce and email the paid evidence reports; ask WeChat Pay for the refunds recorded', ports: ['mailer', 'payments', 'sms'], pdf: true },
  // E2: the signed chain heads changed since the last run, in a Merkle tree whose root the TSA
  // timestamps. Every 5 minutes: a bundle can be downloaded that long after a contract's last act.
  { name: 'timer-anchor', kind: 'timer', schedule: '0 */5 * * * * *', memoryMb: 256, timeoutS: 120, summary: 'Anchor the changed event-chain heads: Merkle root timestamped by the TSA', ports: [], pdf: false },
  { name: 'timer-payment-reconcile', kind: 'timer', schedule: '0 */5 * * * * *', memoryMb: 256, timeoutS: 120, summary: 'Ask WeChat Pay about orders unpaid after N minutes: settle or close them', ports: ['mailer', 'payments', 'sms'], pdf: true },
  // 《平台证书更新指引》 (issue 16 item 5): daily, the early warning of a platform certificate rotation.
  { name: 'timer-wechatpay-certificates', kind: 'timer', schedule: '0 0 3 * * * *', memoryMb: 256, timeoutS: 30, summary: 'Download WeChat Pay platform certificates in force (old+new during a rotation); alarm before the last one lapses', ports: ['payments'], pdf: false },
  // Customer service (issue 16 item 5): refunds a paid order's payment through WeChat Pay.
  { name: 'payment-refund', kind: 'operator', memoryMb: 256, timeoutS: 15, summary: 'Operator only: refund a paid order\'s payment through WeChat Pay (customer service)', ports: ['mailer', 'payments', 'sms'], pdf: false },
  // WeChat Pay waits 5 s for the answer; the function must answer well within it.
  { name: 'payment-notify', kind: 'webhook', memoryMb: 256, timeoutS: 5, summary: 'WeChat Pay payment notification: verify, decrypt, check, mark paid once; the report goes through the outbox', ports: ['mailer', 'payments', 'sms'], pdf: false },
];

export const functionSpec = (name: string): FunctionSpec | undefined => FUNCTIONS.find((f) => f.name === name);
