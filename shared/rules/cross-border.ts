/**
 * The cross-border party rule (A6, P4; guide 同港澳台居民签署合同): a contract with a party who is a
 * Hong Kong, Macau or Taiwan resident (港澳台居民居住证, id kind 'hmt') needs every mainland party to
 * have switched 跨境签署 on (cross-border-set, after a face check). Pure: the caller passes each
 * party's id kind and switch; contract-create/fill/sign and share-open enforce it. Imports nothing.
 */

export interface CrossBorderParty {
  /** 'mainland': a resident ID card; 'hmt': a HK/Macau/Taiwan residence permit. Null: not known yet (对方填). */
  idKind: 'mainland' | 'hmt' | null;
  /** The party's account has 跨境签署 on (false for a party without an account yet). */
  crossBorder: boolean;
}

/**
 * The indexes of the mainland parties who must switch 跨境签署 on before this contract may go on:
 * empty when no party is an HMT resident, or when every mainland party has the switch on.
 */
export const crossBorderBlockers = (parties: readonly CrossBorderParty[]): number[] => {
  if (!parties.some((p) => p.idKind === 'hmt')) return [];
  return parties.flatMap((p, i) => (p.idKind === 'mainland' && !p.crossBorder ? [i] : []));
};
