import type { TimerAnchorInput } from '../generated/schema-types';
import type { Operation } from '../ports/operation';
import { runAnchor } from '../evidence/anchors';

/**
 * E2/S1: anchors the signed heads of every chain that moved since the last run in a Merkle tree
 * timestamped by the TSA (evidence/anchors.ts). A TSA failure fails the run; the next run takes
 * the same window up again.
 */
export const timerAnchor: Operation<TimerAnchorInput> = async (_input, ctx) => runAnchor(ctx.deps);
