/**
 * The face-check simulator: the FaceVerifier port with the real flow's shape (a BizToken per
 * DetectAuth, a result per GetDetectInfoEnhanced; ErrCode 0 is a pass) and no camera.
 *
 * What the person in front of the phone would do is what `complete(bizToken, passed)` says. A
 * check nobody completed is answered by the simulator's mode: 'pass' (the default, so a newcomer
 * can walk a flow with curl alone), 'fail', or 'pending' (as the real service answers before the
 * user has done anything). The emulator exposes both over HTTP.
 */
import { randomBytes } from 'node:crypto';
import type { FaceResult, FaceStartInput, FaceStartResult, FaceVerifier } from '../../ports/face';

export type FaceSimulatorMode = 'pass' | 'fail' | 'pending';

interface SimCheck {
  name: string;
  idNumber: string;
  outcome: 'pass' | 'fail' | null;
}

// FaceID's codes for these outcomes (GetDetectInfoEnhanced Text.ErrCode): 0 pass, 1001 "no person", 3004 "face does not match".
const FAIL = { errCode: 3004, errMsg: '人脸比对不一致' };

export class FaceSimulator implements FaceVerifier {
  private readonly checks = new Map<string, SimCheck>();
  constructor(public mode: FaceSimulatorMode = 'pass') {}

  async start(input: FaceStartInput): Promise<FaceStartResult> {
    const bizToken = randomBytes(18).toString('hex').toUpperCase();
    this.checks.set(bizToken, { name: input.name, idNumber: input.idNumber, outcome: null });
    return { bizToken, url: `/_emulator/face/${bizToken}`, requestId: `sim-${bizToken.slice(0, 8)}` };
  }

  async result(bizToken: string): Promise<FaceResult> {
    const check = this.checks.get(bizToken);
    if (!check) return { passed: false, errCode: 2004, errMsg: 'BizToken 不存在或已过期' };
    const outcome = check.outcome ?? (this.mode === 'pending' ? null : this.mode);
    if (outcome === null) return { passed: false, errCode: null, errMsg: '用户尚未完成核验' };
    if (outcome === 'fail') return { passed: false, ...FAIL };
    return { passed: true, errCode: 0, errMsg: '成功', name: check.name, idNumber: check.idNumber };
  }

  /** The person did the check (or failed it). Returns false for an unknown token. */
  complete(bizToken: string, passed: boolean): boolean {
    const check = this.checks.get(bizToken);
    if (!check) return false;
    check.outcome = passed ? 'pass' : 'fail';
    return true;
  }
}
