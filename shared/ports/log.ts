/**
 * The structured logger every operation and adapter writes to (pino's interface; shared/runtime/logger.ts
 * makes one that scrubs personal data and secrets from every record). Types only.
 */
import type { Logger } from 'pino';

export type Log = Logger;
