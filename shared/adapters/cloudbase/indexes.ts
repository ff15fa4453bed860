/**
 * The collection declarations (shared/store/collections.ts) as CloudBase index definitions, in the
 * shape of the TCB API's UpdateTable CreateIndexes (MgoKeySchema), which the setup command sends
 * through @cloudbase/manager-node.
 *
 * Unique indexes get a partial filter expression admitting only documents where every indexed field
 * holds a value: the store port says unique indexes ignore documents where the field is missing or
 * null, whereas a plain MongoDB unique index counts a missing field as null and would let only one
 * contract without a share token exist.
 */
import type { CollectionSpec, IndexSpec } from '../../store/collections';

export interface CloudBaseIndex {
  IndexName: string;
  MgoKeySchema: {
    MgoIndexKeys: Array<{ Name: string; Direction: '1' | '-1' }>;
    MgoIsUnique: boolean;
    PartialFilterExpression?: string;
  };
}

/** Every BSON type a declared field may hold, null excluded. */
const VALUE_TYPES = ['string', 'number', 'bool', 'object', 'array'];

export const cloudBaseIndex = (index: IndexSpec): CloudBaseIndex => ({
  IndexName: index.name,
  MgoKeySchema: {
    MgoIndexKeys: index.fields.map(([field, dir]) => ({ Name: field, Direction: dir === 'desc' ? '-1' : '1' })),
    MgoIsUnique: index.unique === true,
    ...(index.unique
      ? { PartialFilterExpression: JSON.stringify(Object.fromEntries(index.fields.map(([f]) => [f, { $type: VALUE_TYPES }]))) }
      : {}),
  },
});

export const cloudBaseIndexes = (spec: CollectionSpec): CloudBaseIndex[] => spec.indexes.map(cloudBaseIndex);

/** As the TCB API describes an index (DescribeTable Indexes[]), for comparing with what is wanted. */
export interface DescribedIndex {
  Name: string;
  Keys?: Array<{ Name?: string; Direction?: string }>;
  Unique?: boolean;
}

export const sameIndex = (want: CloudBaseIndex, have: DescribedIndex): boolean =>
  have.Name === want.IndexName &&
  Boolean(have.Unique) === want.MgoKeySchema.MgoIsUnique &&
  JSON.stringify((have.Keys ?? []).map((k) => [k.Name, String(k.Direction)])) ===
    JSON.stringify(want.MgoKeySchema.MgoIndexKeys.map((k) => [k.Name, k.Direction]));
