/** A5/A3: the seal table (lifecycle/seal.ts) is well formed, and a rename or a delete moves a seal as documented. */
import { applyRecord, decideRecord, newRecord, SEAL_TABLE, tableProblems } from '../../shared/lifecycle';

describe('seal table', () => {
  test('has no problems', () => expect(tableProblems(SEAL_TABLE)).toEqual([]));

  test('A3 invalidate: valid → invalid; already invalid or deleted stays, writing nothing', () => {
    expect(decideRecord(SEAL_TABLE, 'valid', 'invalidate')).toMatchObject({ to: 'invalid', noop: false });
    expect(decideRecord(SEAL_TABLE, 'invalid', 'invalidate').noop).toBe(true);
    expect(decideRecord(SEAL_TABLE, 'deleted', 'invalidate').noop).toBe(true);
  });

  test('delete from valid or invalid; a deleted seal cannot be deleted again', () => {
    const rec = newRecord(SEAL_TABLE, { _id: 'seal_abcdefghij', name: '张三' });
    expect(rec.status).toBe('valid');
    expect(applyRecord(rec, decideRecord(SEAL_TABLE, 'valid', 'delete')).status).toBe('deleted');
    expect(decideRecord(SEAL_TABLE, 'invalid', 'delete').to).toBe('deleted');
    expect(() => decideRecord(SEAL_TABLE, 'deleted', 'delete')).toThrow(expect.objectContaining({ code: 'INVALID_TRANSITION' }));
  });
});
