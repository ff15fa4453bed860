import schema from '../../schemas/functions/fee-quote.json';
import { handle } from '../../shared/runtime/handler';
import { feeQuote } from '../../shared/operations/fee-quote';

export const main = handle('fee-quote', schema, feeQuote);
