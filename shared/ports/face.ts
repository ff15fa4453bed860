/**
 * Face verification (人脸核身), shaped like Tencent Cloud FaceID for mini-programs:
 *   DetectAuth{RuleId, Name, IdCard} → BizToken (valid 2 h)
 *   → the mini-program runs the check with the BizToken
 *   → GetDetectInfoEnhanced{BizToken, RuleId} → result; pass means Text.ErrCode === 0.
 * Binding a BizToken to a user, purpose and contract, and using it once, is ours to do
 * (operations/face-checks.ts), not the provider's.
 */
export interface FaceStartInput {
  name: string;
  idNumber: string;
  /** Opaque, echoed by the provider; we put our check id here. */
  extra?: string;
}

export interface FaceStartResult {
  bizToken: string;
  /** Where a browser would run the check (H5); the mini-program uses the BizToken. */
  url?: string;
  /** Provider request id, for support. */
  requestId?: string;
}

export interface FaceResult {
  /** True only when the provider says the person matched (ErrCode 0). */
  passed: boolean;
  /** The provider's code and message (FaceID Text.ErrCode / ErrMsg); null while not done. */
  errCode: number | null;
  errMsg: string;
  /** The name and ID number the provider compared against, as it reports them. */
  name?: string;
  idNumber?: string;
  requestId?: string;
}

export interface FaceVerifier {
  start(input: FaceStartInput): Promise<FaceStartResult>;
  result(bizToken: string): Promise<FaceResult>;
}
