/**
 * FaceID (慧眼) for the mini-program flow, API 2018-03-01, as DetectAuth and GetDetectInfoEnhanced
 * answer (https://cloud.tencent.com/document/api/1007/31816, /41957):
 *
 *  - DetectAuth{RuleId, Name, IdCard, Extra?} → {Url, BizToken}; RuleId must be one of the console's;
 *  - GetDetectInfoEnhanced{BizToken, RuleId, InfoType} → {Text:{ErrCode, ErrMsg, Name, IdCard, …}}
 *    where ErrCode is null until the person has done the check, 0 for a pass, a failure code
 *    otherwise; an unknown token is InvalidParameterValue.BizTokenIllegal, one older than three days
 *    InvalidParameterValue.BizTokenExpired.
 *
 * What the person in front of the camera does is what a test says: `complete(bizToken, pass)`; a
 * token nobody completed answers as `mode` says ('pending' by default, as the real service).
 */
import { randomUUID } from 'node:crypto';
import { ApiError, type ApiService, type Params } from './server';

const THREE_DAYS_MS = 3 * 24 * 3600_000;

interface Check {
  ruleId: string;
  name: string;
  idCard: string;
  extra: string;
  outcome: 'pass' | 'fail' | null;
  created: number;
}

export class FaceIdFake {
  mode: 'pass' | 'fail' | 'pending' = 'pending';
  private readonly checks = new Map<string, Check>();

  constructor(private readonly ruleIds: ReadonlySet<string>) {}

  complete(bizToken: string, pass: boolean): boolean {
    const c = this.checks.get(bizToken);
    if (!c) return false;
    c.outcome = pass ? 'pass' : 'fail';
    return true;
  }

  get issued(): number {
    return this.checks.size;
  }

  service(): ApiService {
    return {
      version: '2018-03-01',
      actions: {
        DetectAuth: (p) => this.detectAuth(p),
        GetDetectInfoEnhanced: (p) => this.result(p),
      },
    };
  }

  private detectAuth(p: Params): Params {
    const ruleId = String(p.RuleId ?? '');
    if (!ruleId) throw new ApiError('MissingParameter', 'The request is missing a required parameter `RuleId`.');
    if (!this.ruleIds.has(ruleId)) throw new ApiError('InvalidParameterValue.RuleIdNotExist', 'RuleId 不存在');
    if (typeof p.Name !== 'string' || typeof p.IdCard !== 'string' || !/^\d{17}[\dX]$/.test(p.IdCard)) {
      throw new ApiError('InvalidParameterValue', 'Name and IdCard are required by this rule.');
    }
    const bizToken = randomUUID().toUpperCase();
    this.checks.set(bizToken, { ruleId, name: p.Name, idCard: p.IdCard, extra: String(p.Extra ?? ''), outcome: null, created: Date.now() });
    return { Url: `https://faceid.qq.com/api/auth/getAuthUrl?token=${bizToken}`, BizToken: bizToken };
  }

  private result(p: Params): Params {
    const c = this.checks.get(String(p.BizToken ?? ''));
    if (!c || c.ruleId !== String(p.RuleId ?? '')) throw new ApiError('InvalidParameterValue.BizTokenIllegal', 'BizToken 不合法');
    if (Date.now() - c.created > THREE_DAYS_MS) throw new ApiError('InvalidParameterValue.BizTokenExpired', 'BizToken 已过期');
    const outcome = c.outcome ?? (this.mode === 'pending' ? null : this.mode);
    const text =
      outcome === null
        ? { ErrCode: null, ErrMsg: null, IdCard: '', Name: '', LiveStatus: null, Comparestatus: null, Sim: null }
        : outcome === 'pass'
          ? { ErrCode: 0, ErrMsg: '成功', IdCard: c.idCard, Name: c.name, LiveStatus: 0, LiveMsg: '成功', Comparestatus: 0, Comparemsg: '成功', Sim: '96.50' }
          : { ErrCode: 3004, ErrMsg: '人脸比对不一致', IdCard: c.idCard, Name: c.name, LiveStatus: 0, LiveMsg: '成功', Comparestatus: 3004, Comparemsg: '比对不一致', Sim: '32.10' };
    return { Text: { ...text, Extra: c.extra }, IdCardData: null, BestFrame: null, VideoData: null, Encryption: null };
  }
}
