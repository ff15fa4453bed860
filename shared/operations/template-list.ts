import type { TemplateListInput } from '../generated/schema-types';
import { chinaMonth } from '../rules/fees';
import type { Operation } from '../ports/operation';
import { allKinds } from '../kinds/registry';
import { catalogueEntry } from '../kinds/catalogue';
import { freeQuotaUsed } from '../payments/quota';

/**
 * The template catalogue (T1, T2, F1), in the order the mini-program lists it: each kind's titles,
 * its two roles (the default first), its fee rule from config/fees.json priced by the same rules
 * contract-pay applies, and its version. A signed-in caller also sees their free initiations left
 * this China month (U4), so the page can say whether the next template contract costs anything.
 */
export const templateList: Operation<TemplateListInput> = async (_input, ctx) => {
  const { deps } = ctx;
  const fees = deps.config.fees;
  const templates = allKinds().map((spec) => catalogueEntry(fees, spec));
  let freeQuota: { month: string; limit: number; used: number; remaining: number } | null = null;
  if (ctx.caller) {
    const month = chinaMonth(deps.clock.now());
    const used = await freeQuotaUsed(deps, ctx.caller.openid, month);
    freeQuota = { month, limit: fees.monthlyFreeQuota, used, remaining: Math.max(0, fees.monthlyFreeQuota - used) };
  }
  return { templates, freeQuota };
};
