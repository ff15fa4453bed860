/**
 * The FaceVerifier port on Tencent Cloud FaceID (慧眼人脸核身, mini-program flow), API 2018-03-01:
 *
 *  - DetectAuth{RuleId, Name, IdCard, Extra} → BizToken (+ Url for H5)
 *    https://cloud.tencent.com/document/api/1007/31816
 *  - GetDetectInfoEnhanced{BizToken, RuleId, InfoType:"1"} → Text{ErrCode, ErrMsg, Name, IdCard}
 *    https://cloud.tencent.com/document/api/1007/41957 — ErrCode 0 is a pass; null means the user
 *    has not finished ("ErrCode: null // 本次核身最终结果。0为成功"). InfoType "1" asks for the text
 *    only: we never fetch the video or photos.
 *
 * Only the faceid client of the SDK is imported (the whole SDK takes ~0.8 s to require).
 */
import { Client as FaceidClient } from 'tencentcloud-sdk-nodejs/tencentcloud/services/faceid/v20180301/faceid_client';
import type { FaceResult, FaceStartInput, FaceStartResult, FaceVerifier } from '../../ports/face';
import { providerFailure } from './api-errors';
import { sdkClientConfig, type TencentApiSettings } from './client-options';

export interface FaceIdSettings {
  /** 业务流程 RuleId from the FaceID console. */
  ruleId: string;
}

/** API errors that describe the token, not the service: the check is simply not passed. */
const TOKEN_ERRORS: Record<string, string> = {
  'InvalidParameterValue.BizTokenExpired': 'BizToken 已过期',
  'InvalidParameterValue.BizTokenIllegal': 'BizToken 不合法',
};
const TOKEN_ERROR_CODE = 2004; // what the local simulator reports for the same situation

export class FaceIdVerifier implements FaceVerifier {
  private client: FaceidClient | undefined;

  constructor(private readonly api: TencentApiSettings, private readonly settings: FaceIdSettings) {}

  private get faceid(): FaceidClient {
    return (this.client ??= new FaceidClient(sdkClientConfig('faceid', this.api)));
  }

  async start(input: FaceStartInput): Promise<FaceStartResult> {
    try {
      const r = await this.faceid.DetectAuth({
        RuleId: this.settings.ruleId,
        Name: input.name,
        IdCard: input.idNumber,
        ...(input.extra ? { Extra: input.extra } : {}),
      });
      if (!r.BizToken) throw Object.assign(new Error('DetectAuth returned no BizToken'), { code: 'MissingBizToken', requestId: r.RequestId });
      return { bizToken: r.BizToken, ...(r.Url ? { url: r.Url } : {}), ...(r.RequestId ? { requestId: r.RequestId } : {}) };
    } catch (e) {
      throw providerFailure('faceid', e);
    }
  }

  async result(bizToken: string): Promise<FaceResult> {
    let r;
    try {
      r = await this.faceid.GetDetectInfoEnhanced({ BizToken: bizToken, RuleId: this.settings.ruleId, InfoType: '1' });
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      const tokenProblem = TOKEN_ERRORS[code];
      if (tokenProblem) return { passed: false, errCode: TOKEN_ERROR_CODE, errMsg: tokenProblem };
      throw providerFailure('faceid', e);
    }
    const text = r.Text;
    const errCode = text?.ErrCode ?? null;
    return {
      passed: errCode === 0,
      errCode,
      errMsg: text?.ErrMsg ?? '',
      ...(text?.Name ? { name: text.Name } : {}),
      ...(text?.IdCard ? { idNumber: text.IdCard } : {}),
      ...(r.RequestId ? { requestId: r.RequestId } : {}),
    };
  }
}
