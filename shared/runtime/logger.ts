/**
 * JSON-line logs (pino), one record per line with the request id; every record is scrubbed of
 * personal data and secrets before it is written (see scrub.ts).
 */
import pino from 'pino';
import type { Log } from '../ports/log';
import { scrub } from './scrub';


export const createLogger = (options: { level?: string; destination?: pino.DestinationStream } = {}): Log =>
  pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      messageKey: 'msg',
      formatters: { log: (obj) => scrub(obj) as Record<string, unknown> },
      hooks: {
        // Scrub the message string too: `log.info('sent to 13800138000')` must not leak the number.
        logMethod(args, method) {
          const scrubbed = args.map((a) => scrub(a)) as Parameters<typeof method>;
          return method.apply(this, scrubbed);
        },
      },
    },
    options.destination,
  );
