/**
 * WeChat SOTER (生物认证: fingerprint 指纹 / face ID 面容 ID on the user's phone, V2).
 *
 * The mini-program calls `wx.startSoterAuthentication({requestAuthModes, challenge})`; the phone's
 * TEE signs a JSON holding the challenge (`resultJSON`, e.g.
 * `{"raw":"<challenge>","fid":"2","counter":123,"tee_n":…,"tee_v":…,"fp_n":…,"fp_v":…,"cpu_id":…,"uid":"21"}`)
 * with the device's SOTER key (`resultJSONSignature`: SHA256 with RSA/PSS, saltlen=20, base64).
 * Only WeChat knows the device's public key, so the server asks WeChat to check the signature:
 *
 *   POST https://api.weixin.qq.com/cgi-bin/soter/verify_signature?access_token=ACCESS_TOKEN
 *   {"openid", "json_string": resultJSON, "json_signature": resultJSONSignature}
 *   → {"errcode":0,"errmsg":"ok","is_ok":true}
 *
 * (developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/soter/verifySignature.html;
 * …/dev/api/open-api/soter/wx.startSoterAuthentication.html for resultJSON.)
 * What the signature proves is only "this phone's enrolled finger/face signed this JSON"; that
 * `raw` is our challenge, unexpired, unused and bound to this user, contract and act is checked by
 * shared/identity/soter.ts.
 *
 * Adapters: shared/adapters/wechat/soter-verifier.ts (the HTTPS API) and
 * shared/adapters/local/soter-simulator.ts (device keys generated locally; the emulator and tests
 * sign challenges as a phone would).
 */

/** The SOTER modes WeChat offers (`requestAuthModes`); `speech` is not supported by WeChat yet. */
export const SOTER_MODES = ['fingerPrint', 'facial'] as const;
export type SoterMode = (typeof SOTER_MODES)[number];

export interface SoterSignatureInput {
  openid: string;
  /** `resultJSON` exactly as the phone returned it (the bytes signed). */
  jsonString: string;
  /** `resultJSONSignature`, base64. */
  jsonSignature: string;
}

export interface SoterVerifier {
  /**
   * Whether the signature over `jsonString` was made by this user's SOTER key. `false` is a
   * definite "no" from WeChat; a provider failure (network, errcode ≠ 0) throws.
   */
  verifySignature(input: SoterSignatureInput): Promise<boolean>;
}

/**
 * The mini-program's access token (接口调用凭证), fetched and cached by its own adapter (issue 14
 * builds the cache on WeChat's stable access token API); the SOTER adapter only asks for it.
 */
export interface AccessTokenSource {
  token(): Promise<string>;
  /** Drops a token WeChat refused (40001/40014/42001), so the next `token()` fetches a fresh one. */
  invalidate?(token: string): void;
}
