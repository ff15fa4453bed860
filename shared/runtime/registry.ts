/**
 * The single list of cloud functions. `functions/<name>/index.ts`, `schemas/functions/<name>.json`,
 * the bundles and serverless.yml must all agree with it (a test checks).
 *   call    — invoked by the mini-program (wx.cloud.callFunction / the emulator's POST /fn/<name>)
 *   timer   — SCF timer trigger, 7-field cron (second minute hour day month week year)
 *   webhook — HTTP trigger (payment notifications)
 */
export interface FunctionSpec {
  name: string;
  kind: 'call' | 'timer' | 'webhook';
  /** Timers: SCF cron, 7 fields, Asia/Shanghai. */
  schedule?: string;
  /** Local emulator: how often to run a timer on its own (ms). */
  everyMs?: number;
  memoryMb: number;
  timeoutS: number;
  summary: string;
}

const call = (name: string, summary: string, memoryMb = 256, timeoutS = 10): FunctionSpec => ({ name, kind: 'call', memoryMb, timeoutS, summary });

export const FUNCTIONS: readonly FunctionSpec[] = [
  call('user-profile', 'The caller\'s profile and real-name status'),
  call('face-start', 'Start a face check (人脸核身) for a purpose'),
  call('identity-verify', 'Real-name verification with a passed face check'),
  call('template-list', 'The template catalogue: titles, roles, fee rule, version'),
  call('template-get', 'One template: form schema, field labels, defaults, the example\'s contract text'),
  call('contract-create', 'Create a draft contract of any kind (IOU, receipt, templates)'),
  call('contract-pay', 'Pay the initiation fee: price it, then initiate at 0 or place the WeChat Pay order'),
  call('fee-quote', 'What this will cost now and why (quota, saver card, coupons)'),
  call('card-buy', 'Buy the saver card (省钱月卡)'),
  call('coupon-list', 'My coupons (我的优惠券)'),
  call('contract-get', 'Contract detail for a party'),
  call('contract-list', 'My contracts with status filter and paging'),
  call('share-open', 'Open a share link; bind as the other party'),
  call('contract-fill', 'The other party confirms their details'),
  call('contract-sign', 'Sign after a face check', 512, 20),
  call('contract-reject', 'Refuse to sign (拒签) or to accept a receipt (拒绝领取), with a reason'),
  call('contract-issue', 'Issue a payer-initiated receipt (确认开具), no fee'),
  call('contract-accept', 'Accept a payee-initiated receipt (确认领取) after a face check', 512, 20),
  call('contract-revoke', 'Withdraw (撤销) by the initiator'),
  call('contract-urge', 'Re-send the SMS to the other party (催办)'),
  call('rescind-request', 'Request rescission (申请解除)'),
  call('rescind-cancel', 'Cancel one\'s rescission request'),
  call('rescind-confirm', 'Confirm the other party\'s rescission request', 512, 20),
  call('rescind-refuse', 'Refuse the other party\'s rescission request'),
  call('settle-request', 'Request settlement of an IOU (申请结清)'),
  call('settle-cancel', 'Cancel one\'s settlement request'),
  call('settle-confirm', 'Confirm the other party\'s settlement request', 512, 20),
  call('settle-refuse', 'Refuse the other party\'s settlement request'),
  call('reminder-set', 'Switch repayment SMS reminders on or off'),
  call('signature-upload', 'Upload a handwritten signature PNG'),
  call('contract-download', 'Short-lived link to the PDF in its current state', 512),
  call('contract-email', 'Email the PDF matching the contract\'s state', 512),
  call('contract-certificates', 'The signing certificates of a contract'),
  call('contract-verify', 'Verify the PDF\'s signatures and the audit chain', 512),
  call('legal-service', 'Legal service (法律服务): notice and link-outs after signing'),
  call('precedents-list', 'Judicial precedents (司法判例) about IOUs'),
  call('evidence-report-request', 'Produce, sign and email the evidence report', 512, 30),
  { name: 'timer-expire', kind: 'timer', schedule: '0 */10 * * * * *', everyMs: 60_000, memoryMb: 256, timeoutS: 300, summary: 'Expire contracts 30 days after initiation' },
  { name: 'timer-repayment-reminders', kind: 'timer', schedule: '0 0 9 * * * *', everyMs: 60_000, memoryMb: 256, timeoutS: 300, summary: 'One SMS per due instalment, 09:00 daily' },
  { name: 'timer-payment-reconcile', kind: 'timer', schedule: '0 */5 * * * * *', everyMs: 60_000, memoryMb: 256, timeoutS: 120, summary: 'Ask WeChat Pay about orders unpaid after N minutes: settle or close them' },
  // WeChat Pay waits 5 s for the answer; the function must answer well within it.
  { name: 'payment-notify', kind: 'webhook', memoryMb: 256, timeoutS: 5, summary: 'WeChat Pay payment notification: verify, decrypt, check, mark paid once' },
];

export const functionSpec = (name: string): FunctionSpec | undefined => FUNCTIONS.find((f) => f.name === name);
