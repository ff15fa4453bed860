import { randomBytes } from 'node:crypto';
import type { Ids } from '../../ports/ids';

/** Time-ordered ids (base36 millis + randomness) so ids sort by creation; tokens are 128-bit random. */
export class RandomIds implements Ids {
  id(prefix: string): string {
    return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomBytes(6).toString('hex')}`;
  }
  token(bytes = 16): string {
    return randomBytes(bytes).toString('base64url');
  }
}
