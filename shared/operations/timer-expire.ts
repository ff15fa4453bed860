import { AppError } from '../errors';
import type { TimerExpireInput } from '../generated/schema-types';
import type { Operation } from '../ports/operation';
import { findContracts } from '../contracts/repository';
import { runTransition } from '../contracts/transition';

/** Upper bound on batches per run, so one run ends even if something keeps producing due contracts. */
const MAX_BATCHES = 50;

/**
 * C2/S1: contracts awaiting fill or signatures whose 30 days are up become expired. The due set
 * comes from the (state, expiresAt) index in batches; each contract moves through the table with
 * its own compare-and-set, so a concurrent run, or a party signing at the last second, simply wins
 * or loses — nothing expires twice and nothing signed expires.
 */
export const timerExpire: Operation<TimerExpireInput> = async (_input, ctx) => {
  const { deps } = ctx;
  const now = deps.clock.now().toISOString();
  let expired = 0;
  let skipped = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const due = await findContracts(
      deps,
      { state: { $in: ['awaiting_fill', 'awaiting_signatures'] }, expiresAt: { $lte: now } },
      { orderBy: [['expiresAt', 'asc']], limit: deps.config.timerBatch },
    );
    if (due.length === 0) break;
    for (const c of due) {
      try {
        // Decided on the batch's own read: a lost compare-and-set re-reads (transition.ts).
        await runTransition(deps, { contractId: c._id, current: c, action: 'expire', by: 'system' });
        expired++;
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        skipped++; // moved on meanwhile (signed, expired by a concurrent run): nothing to do
      }
    }
    if (due.length < deps.config.timerBatch || skipped >= due.length) break;
  }
  return { expired, skipped };
};
