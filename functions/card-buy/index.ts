import schema from '../../schemas/functions/card-buy.json';
import { handle } from '../../shared/runtime/handler';
import { cardBuy } from '../../shared/operations/card-buy';

export const main = handle('card-buy', schema, cardBuy);
