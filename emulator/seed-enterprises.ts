/**
 * The emulator's seed data for enterprise membership (A1): what the operator's roster import
 * writes in a deployment (shared/identity/enterprise.ts reads it). Seeded on every start, a seed
 * already present left as it is. The openids are reserved for these examples (and the tests).
 */
import { collectionName } from '../shared/store/collections';
import type { Store } from '../shared/ports/store';

export const SEED_ENTERPRISE_MEMBERS = [
  { _id: 'em_seed_member', openid: 'o-seed-ent-member', enterpriseName: '示例科技有限公司', roles: ['member'] },
  { _id: 'em_seed_admin', openid: 'o-seed-ent-admin', enterpriseName: '示例科技有限公司', roles: ['admin'] },
  { _id: 'em_seed_super', openid: 'o-seed-ent-super', enterpriseName: '示例科技有限公司', roles: ['super_admin'] },
  { _id: 'em_seed_legal', openid: 'o-seed-ent-legal', enterpriseName: '示例贸易有限公司', roles: ['legal_representative', 'member'] },
] as const;

export const seedEnterpriseMembers = async (store: Store): Promise<void> => {
  const col = collectionName('enterpriseMembers');
  for (const doc of SEED_ENTERPRISE_MEMBERS) {
    if (!(await store.get(col, doc._id))) await store.insert(col, { ...doc, roles: [...doc.roles] });
  }
};
