/**
 * What the ledger's acts share: the event actor, and what a confirmed repayment that clears the ledger adds to its commit — the
 * `ledger_cleared` event and the notice to both parties proposing 结清 (L4).
 *
 * May import: ports/, domain/, rules/, contracts/, messages/, this module's records.
 */
import { partyAt, type Contract } from '../domain/contract';
import type { NewEvent } from '../domain/events';
import type { Deps } from '../ports/operation';
import type { Ledger } from '../rules/ledger';
import { contractSmsRow } from '../messages/contract-sms';
import type { OutboxRow } from '../messages/outbox';

export const actorOf = (c: Contract, index: number) => ({ role: partyAt(c, index).side, openid: partyAt(c, index).openid });

/** L4: once nothing is owed, both parties are told they can settle. */
export const clearedFollowUp = (deps: Deps, c: Contract, before: Ledger, after: Ledger): { events: NewEvent[]; messages: OutboxRow[] } => {
  if (before.cleared || !after.cleared) return { events: [], messages: [] };
  return {
    events: [{ type: 'ledger_cleared', actor: { role: 'system', openid: null }, data: { asOf: after.asOf, overpaidFen: after.overpaidFen } }],
    messages: c.parties.map((_, i) => contractSmsRow(deps, c, i, 'ledger_cleared')).filter((r): r is OutboxRow => r !== null),
  };
};

