/**
 * SMS, shaped like Tencent Cloud SMS SendSms: a template per notification kind with
 * positional parameters. Phone numbers are E.164 without '+86' handling by callers: pass the
 * 11-digit mainland number; the adapter formats it for the provider.
 */
export type SmsTemplate =
  | 'invite_fill'        // 对方填: please fill in your details
  | 'invite_sign'        // please sign
  | 'invite_accept'      // a payee-initiated receipt: please 确认领取 (R2)
  | 'receipt_accepted'   // the payer accepted (确认领取) the receipt: it is in force
  | 'receipt_refused'    // the payer refused (拒绝领取) the receipt, with a reason (R2)
  | 'receipt_signed'     // the payee signed a receipt the payer issued (确认开具): it is in force (R3)
  | 'ready_to_sign'      // the other party confirmed their details: your turn to sign
  | 'signed_by_other'    // the other party signed
  | 'contract_signed'    // the contract is in force
  | 'rejected'           // the other party refused (拒签), with a reason (C4)
  | 'expired'            // the contract expired unsigned
  | 'revoked'            // the initiator revoked
  | 'invalidated'        // A3: a party renamed; the unfinished contract ended
  | 'rescind_requested'
  | 'rescind_answered'
  | 'rescind_cancelled'  // the requester withdrew the rescind request
  | 'settle_requested'
  | 'settle_answered'
  | 'settle_cancelled'   // the requester withdrew the settle request
  | 'repayment_due'
  | 'repayment_recorded' // L1: the lender is asked to confirm
  | 'extension_proposed' // L3
  | 'demand_notice'      // L3: 催告
  | 'ledger_cleared'     // L4: settlement proposed to both
  | 'urge'               // 催办
  | 'report_sent'
  | 'verification_code'
  | 'phone_changed';     // A2: security notice to the old number after a phone change

export interface SmsMessage {
  phone: string;
  template: SmsTemplate;
  params: string[];
}

export interface SmsResult {
  ok: boolean;
  /** Provider serial / message id when sent. */
  serialNo?: string;
  /** Provider code when not sent (e.g. "LimitExceeded.PhoneNumberDailyLimit"). */
  code?: string;
  message?: string;
  /** The provider says a later try may succeed (throttling, an outage), not a bad number or template: the outbox retries only these. */
  retryable?: boolean;
}

export interface Sms {
  send(message: SmsMessage): Promise<SmsResult>;
}
