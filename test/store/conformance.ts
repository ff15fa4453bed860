/**
 * The Store conformance suite: every Store adapter (SQLite, CloudBase) must pass it unchanged.
 *
 *   runStoreConformance('sqlite file', () => openSqliteStore(file), { openSecond: () => openSqliteStore(file) });
 *
 * It uses the real collections (shared/store/collections.ts): `users` (no index) for filter
 * semantics, `contracts` (array field `memberOpenids`, unique `shareToken`) and `events` (unique
 * `contractId`+`seq`). Every document id and tag is prefixed by a per-run id, so the suite can run
 * against a store that already holds data and its tests do not see each other's documents.
 */
import { StoreDuplicateError, type Append, type Doc, type Filter, type FindOptions, type Store } from '../../shared/ports/store';
import { disarm, holdNextCommit, holdNextWrite, writesTo } from '../support/interleave';

export interface ConformanceOptions {
  /** A second connection to the same data, for the concurrency tests. */
  openSecond?: () => Store | Promise<Store>;
}

export function runStoreConformance(
  label: string,
  open: () => Promise<Store> | Store,
  opts: ConformanceOptions = {},
): void {
  describe(`Store conformance: ${label}`, () => {
    const run = `r${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
    let seq = 0;
    const uid = (prefix = 'd'): string => `${run}-${prefix}-${String(++seq).padStart(4, '0')}`;
    let store: Store;
    let second: Store | undefined;

    beforeAll(async () => {
      store = await open();
      if (opts.openSecond) second = await opts.openSecond();
    });
    afterAll(async () => {
      await second?.close();
      await store?.close();
    });

    const ids = (docs: Doc[]): string[] => docs.map((d) => d._id);
    const findIds = async (coll: string, filter: Filter, options?: FindOptions): Promise<string[]> =>
      ids(await store.find(coll, filter, options));

    describe('documents', () => {
      it('round-trips nested JSON (Chinese text, numbers, booleans, null, arrays) and sets version 1', async () => {
        const doc = {
          _id: uid(),
          title: '借条：张三向李四借款',
          amountFen: 12_345_600,
          rate: 0.0385,
          negative: -17,
          signed: false,
          urgent: true,
          note: null,
          tags: ['借款', 'IOU', 3, true, null],
          parties: {
            initiator: { name: '张三', idNumber: '110101199003077777', openid: 'o-zhang' },
            counterparty: { name: '李四', emoji: '🙂', address: { city: '上海', lines: ['浦东新区', '世纪大道 1 号'] } },
          },
          empty: { list: [], obj: {} },
        };
        await store.insert('users', doc);
        const got = await store.get('users', doc._id);
        expect(got).toEqual({ ...doc, version: 1 });
      });

      it('returns null for a missing document', async () => {
        expect(await store.get('users', uid('missing'))).toBeNull();
      });

      it('owns version: a version passed to insert is ignored', async () => {
        const id = uid();
        await store.insert('users', { _id: id, version: 41, a: 1 });
        expect(await store.get('users', id)).toEqual({ _id: id, a: 1, version: 1 });
      });

      it('returns a copy: mutating a fetched document changes nothing stored', async () => {
        const id = uid();
        await store.insert('users', { _id: id, list: [1] });
        const got = (await store.get<Doc & { list: number[] }>('users', id))!;
        got.list.push(2);
        expect((await store.get('users', id))!['list']).toEqual([1]);
      });

      it('throws StoreDuplicateError on a duplicate _id and keeps the original', async () => {
        const id = uid();
        await store.insert('users', { _id: id, v: 'first' });
        await expect(store.insert('users', { _id: id, v: 'second' })).rejects.toBeInstanceOf(StoreDuplicateError);
        expect(await store.get('users', id)).toEqual({ _id: id, v: 'first', version: 1 });
      });

      it('compare-and-set replaces the whole document and increments the version', async () => {
        const id = uid();
        await store.insert('users', { _id: id, a: 1, gone: 'x' });
        expect(await store.compareAndSet('users', { _id: id, a: 2 }, 1)).toBe(true);
        expect(await store.get('users', id)).toEqual({ _id: id, a: 2, version: 2 });
        expect(await store.compareAndSet('users', { _id: id, a: 3, version: 2 }, 2)).toBe(true);
        expect(await store.get('users', id)).toEqual({ _id: id, a: 3, version: 3 });
      });

      it('compare-and-set with a stale version returns false and changes nothing', async () => {
        const id = uid();
        await store.insert('users', { _id: id, a: 1 });
        expect(await store.compareAndSet('users', { _id: id, a: 2 }, 1)).toBe(true);
        expect(await store.compareAndSet('users', { _id: id, a: 'stale' }, 1)).toBe(false);
        expect(await store.compareAndSet('users', { _id: id, a: 'future' }, 3)).toBe(false);
        expect(await store.get('users', id)).toEqual({ _id: id, a: 2, version: 2 });
      });

      it('compare-and-set on a missing document returns false and creates nothing (also with version 0)', async () => {
        const id = uid();
        expect(await store.compareAndSet('users', { _id: id, a: 1 }, 1)).toBe(false);
        expect(await store.compareAndSet('users', { _id: id, a: 1 }, 0)).toBe(false);
        expect(await store.get('users', id)).toBeNull();
      });

      it('remove deletes; removing a missing document is a no-op; the _id can be reused', async () => {
        const id = uid();
        await store.insert('users', { _id: id, a: 1 });
        await store.remove('users', id);
        expect(await store.get('users', id)).toBeNull();
        await expect(store.remove('users', id)).resolves.toBeUndefined();
        await store.insert('users', { _id: id, a: 2 });
        expect(await store.get('users', id)).toEqual({ _id: id, a: 2, version: 1 });
      });
    });

    describe('commit', () => {
      const event = (contractId: string, n: number): Doc => ({ _id: `${contractId}:${n}`, contractId, seq: n, type: '签署' });

      it('stores the compare-and-set and every append together', async () => {
        const id = uid('c');
        await store.insert('contracts', { _id: id, state: 'draft' });
        const res = await store.commit({ collection: 'contracts', doc: { _id: id, state: 'signed' }, expectedVersion: 1 }, [
          { collection: 'events', docs: [event(id, 1), event(id, 2)] },
          { collection: 'users', docs: [{ _id: `${id}-audit`, x: 1 }] },
        ]);
        expect(res).toEqual({ ok: true, version: 2, versions: [2] });
        expect(await store.get('contracts', id)).toEqual({ _id: id, state: 'signed', version: 2 });
        expect(await store.get('events', `${id}:1`)).toEqual({ ...event(id, 1), version: 1 });
        expect(await store.get('events', `${id}:2`)).toEqual({ ...event(id, 2), version: 1 });
        expect(await store.get('users', `${id}-audit`)).toEqual({ _id: `${id}-audit`, x: 1, version: 1 });
      });

      it('with expectedVersion 0 inserts; a second insert of the same _id is a conflict', async () => {
        const id = uid('c');
        const first = await store.commit({ collection: 'contracts', doc: { _id: id, state: 'draft' }, expectedVersion: 0 }, [
          { collection: 'events', docs: [event(id, 1)] },
        ]);
        expect(first).toEqual({ ok: true, version: 1, versions: [1] });
        expect(await store.get('contracts', id)).toEqual({ _id: id, state: 'draft', version: 1 });
        const again = await store.commit({ collection: 'contracts', doc: { _id: id, state: 'other' }, expectedVersion: 0 }, [
          { collection: 'events', docs: [event(id, 99)] },
        ]);
        expect(again).toEqual({ ok: false, reason: 'conflict' });
        expect(await store.get('contracts', id)).toEqual({ _id: id, state: 'draft', version: 1 });
        expect(await store.get('events', `${id}:99`)).toBeNull();
      });

      it('a lost compare-and-set inserts no appends', async () => {
        const id = uid('c');
        await store.insert('contracts', { _id: id, state: 'draft' });
        const res = await store.commit({ collection: 'contracts', doc: { _id: id, state: 'x' }, expectedVersion: 2 }, [
          { collection: 'events', docs: [event(id, 1)] },
        ]);
        expect(res).toEqual({ ok: false, reason: 'conflict' });
        expect(await store.get('events', `${id}:1`)).toBeNull();
        expect(await store.get('contracts', id)).toEqual({ _id: id, state: 'draft', version: 1 });
      });

      it('a commit on a missing document with expectedVersion > 0 is a conflict', async () => {
        const id = uid('c');
        const res = await store.commit({ collection: 'contracts', doc: { _id: id }, expectedVersion: 1 }, [
          { collection: 'events', docs: [event(id, 1)] },
        ]);
        expect(res).toEqual({ ok: false, reason: 'conflict' });
        expect(await store.get('contracts', id)).toBeNull();
        expect(await store.get('events', `${id}:1`)).toBeNull();
      });

      it('an append whose _id exists rolls back the compare-and-set and the other appends', async () => {
        const id = uid('c');
        await store.insert('contracts', { _id: id, state: 'draft' });
        await store.insert('events', event(id, 2));
        const res = await store.commit({ collection: 'contracts', doc: { _id: id, state: 'signed' }, expectedVersion: 1 }, [
          { collection: 'users', docs: [{ _id: `${id}-side`, x: 1 }] },
          { collection: 'events', docs: [event(id, 1), { ...event(id, 2), type: 'dup' }] },
        ]);
        expect(res).toEqual({ ok: false, reason: 'conflict' });
        expect(await store.get('contracts', id)).toEqual({ _id: id, state: 'draft', version: 1 });
        expect(await store.get('events', `${id}:1`)).toBeNull();
        expect(await store.get('users', `${id}-side`)).toBeNull();
        expect(await store.get('events', `${id}:2`)).toEqual({ ...event(id, 2), version: 1 });
        // The document is untouched, so the same commit without the duplicate now succeeds.
        const retry = await store.commit({ collection: 'contracts', doc: { _id: id, state: 'signed' }, expectedVersion: 1 }, [
          { collection: 'events', docs: [event(id, 1)] },
        ]);
        expect(retry).toEqual({ ok: true, version: 2, versions: [2] });
      });

      it('the same _id twice inside one commit is a conflict and writes nothing', async () => {
        const id = uid('c');
        await store.insert('contracts', { _id: id, state: 'draft' });
        const res = await store.commit({ collection: 'contracts', doc: { _id: id, state: 'x' }, expectedVersion: 1 }, [
          { collection: 'events', docs: [event(id, 1)] },
          { collection: 'events', docs: [{ ...event(id, 1), seq: 5 }] },
        ]);
        expect(res).toEqual({ ok: false, reason: 'conflict' });
        expect(await store.get('contracts', id)).toEqual({ _id: id, state: 'draft', version: 1 });
        expect(await store.get('events', `${id}:1`)).toBeNull();
      });

      it('an append breaking a unique index (events contractId+seq) is a conflict and writes nothing', async () => {
        const id = uid('c');
        await store.insert('contracts', { _id: id, state: 'draft' });
        await store.insert('events', event(id, 1));
        const res = await store.commit({ collection: 'contracts', doc: { _id: id, state: 'x' }, expectedVersion: 1 }, [
          { collection: 'events', docs: [{ ...event(id, 1), _id: `${id}:other` }] },
        ]);
        expect(res).toEqual({ ok: false, reason: 'conflict' });
        expect(await store.get('contracts', id)).toEqual({ _id: id, state: 'draft', version: 1 });
        expect(await store.get('events', `${id}:other`)).toBeNull();
      });

      it('a commit with no appends is a plain compare-and-set', async () => {
        const id = uid('c');
        await store.insert('contracts', { _id: id, n: 1 });
        expect(await store.commit({ collection: 'contracts', doc: { _id: id, n: 2 }, expectedVersion: 1 }, [])).toEqual({ ok: true, version: 2, versions: [2] });
        expect(await store.get('contracts', id)).toEqual({ _id: id, n: 2, version: 2 });
      });
    });

    describe('commit: several writes in one transaction', () => {
      const event = (contractId: string, n: number): Doc => ({ _id: `${contractId}:${n}`, contractId, seq: n, type: '签署' });
      const conflict = { ok: false, reason: 'conflict' };

      it('stores every compare-and-set and the appends; versions are per write, version the first', async () => {
        const [c, f] = [uid('c'), uid('face')];
        await store.insert('contracts', { _id: c, state: 'awaiting_signatures' });
        await store.insert('face_checks', { _id: f, status: 'passed' });
        expect(await store.compareAndSet('face_checks', { _id: f, status: 'passed', seen: true }, 1)).toBe(true);
        const res = await store.commit(
          [
            { collection: 'contracts', doc: { _id: c, state: 'signed' }, expectedVersion: 1 },
            { collection: 'face_checks', doc: { _id: f, status: 'used', usedFor: c }, expectedVersion: 2 },
          ],
          [{ collection: 'events', docs: [event(c, 1)] }],
        );
        expect(res).toEqual({ ok: true, version: 2, versions: [2, 3] });
        expect(await store.get('contracts', c)).toEqual({ _id: c, state: 'signed', version: 2 });
        expect(await store.get('face_checks', f)).toEqual({ _id: f, status: 'used', usedFor: c, version: 3 });
        expect(await store.get('events', `${c}:1`)).toEqual({ ...event(c, 1), version: 1 });
      });

      it('the list form with one write is the single-write form', async () => {
        const c = uid('c');
        await store.insert('contracts', { _id: c, n: 1 });
        expect(await store.commit([{ collection: 'contracts', doc: { _id: c, n: 2 }, expectedVersion: 1 }])).toEqual({ ok: true, version: 2, versions: [2] });
        expect(await store.commit({ collection: 'contracts', doc: { _id: c, n: 3 }, expectedVersion: 2 })).toEqual({ ok: true, version: 3, versions: [3] });
        expect(await store.get('contracts', c)).toEqual({ _id: c, n: 3, version: 3 });
      });

      it('one stale write (first or last) writes nothing: not the other writes, not the appends', async () => {
        for (const staleAt of [0, 1] as const) {
          const [c, f] = [uid('c'), uid('face')];
          await store.insert('contracts', { _id: c, state: 'awaiting_signatures' });
          await store.insert('face_checks', { _id: f, status: 'passed' });
          expect(await store.compareAndSet('face_checks', { _id: f, status: 'passed', n: 2 }, 1)).toBe(true); // now version 2
          const writes = [
            { collection: 'contracts', doc: { _id: c, state: 'signed' }, expectedVersion: staleAt === 0 ? 2 : 1 },
            { collection: 'face_checks', doc: { _id: f, status: 'used' }, expectedVersion: staleAt === 1 ? 1 : 2 },
          ];
          expect(await store.commit(writes, [{ collection: 'events', docs: [event(c, 1)] }])).toEqual(conflict);
          expect(await store.get('contracts', c)).toEqual({ _id: c, state: 'awaiting_signatures', version: 1 });
          expect(await store.get('face_checks', f)).toEqual({ _id: f, status: 'passed', n: 2, version: 2 });
          expect(await store.get('events', `${c}:1`)).toBeNull();
        }
      });

      it('a write on a missing document with expectedVersion > 0 fails the whole commit', async () => {
        const [c, gone] = [uid('c'), uid('c')];
        await store.insert('contracts', { _id: c, n: 1 });
        const res = await store.commit([
          { collection: 'contracts', doc: { _id: c, n: 2 }, expectedVersion: 1 },
          { collection: 'contracts', doc: { _id: gone, n: 1 }, expectedVersion: 1 },
        ]);
        expect(res).toEqual(conflict);
        expect(await store.get('contracts', c)).toEqual({ _id: c, n: 1, version: 1 });
        expect(await store.get('contracts', gone)).toBeNull();
      });

      it('inserts (expectedVersion 0) and compare-and-sets mix; an insert whose _id exists fails them all', async () => {
        const [c, order, taken] = [uid('c'), uid('order'), uid('order')];
        await store.insert('contracts', { _id: c, state: 'draft' });
        const res = await store.commit([
          { collection: 'orders', doc: { _id: order, status: 'open' }, expectedVersion: 0 },
          { collection: 'contracts', doc: { _id: c, state: 'awaiting_payment', orderId: order }, expectedVersion: 1 },
        ]);
        expect(res).toEqual({ ok: true, version: 1, versions: [1, 2] });
        expect(await store.get('orders', order)).toEqual({ _id: order, status: 'open', version: 1 });
        expect(await store.get('contracts', c)).toEqual({ _id: c, state: 'awaiting_payment', orderId: order, version: 2 });

        await store.insert('orders', { _id: taken, status: 'paid' });
        const again = await store.commit([
          { collection: 'contracts', doc: { _id: c, state: 'x', orderId: taken }, expectedVersion: 2 },
          { collection: 'orders', doc: { _id: taken, status: 'open' }, expectedVersion: 0 },
        ]);
        expect(again).toEqual(conflict);
        expect(await store.get('contracts', c)).toEqual({ _id: c, state: 'awaiting_payment', orderId: order, version: 2 });
        expect(await store.get('orders', taken)).toEqual({ _id: taken, status: 'paid', version: 1 });
      });

      it('the same document twice — two writes, or a write and an append — is a conflict and writes nothing', async () => {
        const [c, other] = [uid('c'), uid('c')];
        await store.insert('contracts', { _id: c, n: 1 });
        await store.insert('contracts', { _id: other, n: 1 });
        // Even where the second write names the version the first would leave.
        const twice = await store.commit([
          { collection: 'contracts', doc: { _id: other, n: 2 }, expectedVersion: 1 },
          { collection: 'contracts', doc: { _id: c, n: 2 }, expectedVersion: 1 },
          { collection: 'contracts', doc: { _id: c, n: 3 }, expectedVersion: 2 },
        ]);
        expect(twice).toEqual(conflict);
        const fresh = uid('c');
        const writeAndAppend = await store.commit({ collection: 'contracts', doc: { _id: fresh, n: 1 }, expectedVersion: 0 }, [
          { collection: 'contracts', docs: [{ _id: fresh, n: 9 }] },
        ]);
        expect(writeAndAppend).toEqual(conflict);
        expect(await store.get('contracts', c)).toEqual({ _id: c, n: 1, version: 1 });
        expect(await store.get('contracts', other)).toEqual({ _id: other, n: 1, version: 1 });
        expect(await store.get('contracts', fresh)).toBeNull();
        // One _id in two collections is two documents.
        const id = uid('same');
        expect(await store.commit([
          { collection: 'users', doc: { _id: id, a: 1 }, expectedVersion: 0 },
          { collection: 'orders', doc: { _id: id, b: 1 }, expectedVersion: 0 },
        ])).toEqual({ ok: true, version: 1, versions: [1, 1] });
      });

      it('an append that cannot be inserted rolls back every write', async () => {
        const [c, f] = [uid('c'), uid('face')];
        await store.insert('contracts', { _id: c, state: 'awaiting_signatures' });
        await store.insert('face_checks', { _id: f, status: 'passed' });
        await store.insert('events', event(c, 1));
        const res = await store.commit(
          [
            { collection: 'contracts', doc: { _id: c, state: 'signed' }, expectedVersion: 1 },
            { collection: 'face_checks', doc: { _id: f, status: 'used' }, expectedVersion: 1 },
          ],
          [
            { collection: 'sms_outbox', docs: [{ _id: `${c}-sms`, to: 'x' }] },
            { collection: 'events', docs: [{ ...event(c, 1), type: 'again' }] },
          ],
        );
        expect(res).toEqual(conflict);
        expect(await store.get('contracts', c)).toEqual({ _id: c, state: 'awaiting_signatures', version: 1 });
        expect(await store.get('face_checks', f)).toEqual({ _id: f, status: 'passed', version: 1 });
        expect(await store.get('sms_outbox', `${c}-sms`)).toBeNull();
        expect(await store.get('events', `${c}:1`)).toEqual({ ...event(c, 1), version: 1 });
      });

      it('a unique-index violation in the second write (or between the writes) fails the whole commit', async () => {
        const token = uid('token');
        const [a, b, holder] = [uid('c'), uid('c'), uid('c')];
        await store.insert('contracts', { _id: a, state: 'draft' });
        await store.insert('contracts', { _id: b, state: 'draft' });
        await store.insert('contracts', { _id: holder, shareToken: token });
        const res = await store.commit([
          { collection: 'contracts', doc: { _id: a, state: 'shared', shareToken: `${token}-a` }, expectedVersion: 1 },
          { collection: 'contracts', doc: { _id: b, state: 'shared', shareToken: token }, expectedVersion: 1 },
        ]);
        expect(res).toEqual(conflict);
        expect(await store.get('contracts', a)).toEqual({ _id: a, state: 'draft', version: 1 });
        expect(await store.get('contracts', b)).toEqual({ _id: b, state: 'draft', version: 1 });
        expect(await store.find('contracts', { shareToken: `${token}-a` })).toEqual([]);
        // Two writes of this commit wanting one new token.
        const between = await store.commit([
          { collection: 'contracts', doc: { _id: a, shareToken: `${token}-new` }, expectedVersion: 1 },
          { collection: 'contracts', doc: { _id: b, shareToken: `${token}-new` }, expectedVersion: 1 },
        ]);
        expect(between).toEqual(conflict);
        expect(await store.get('contracts', a)).toEqual({ _id: a, state: 'draft', version: 1 });
        expect(await store.get('contracts', b)).toEqual({ _id: b, state: 'draft', version: 1 });
      });

      it('refuses an empty list of writes (TypeError) and checks every write before writing any', async () => {
        await expect(store.commit([], [{ collection: 'users', docs: [{ _id: uid() }] }])).rejects.toThrow(TypeError);
        const c = uid('c');
        await store.insert('contracts', { _id: c, n: 1 });
        await expect(store.commit([
          { collection: 'contracts', doc: { _id: c, n: 2 }, expectedVersion: 1 },
          { collection: 'contracts', doc: { _id: uid('c') }, expectedVersion: -1 },
        ])).rejects.toThrow(TypeError);
        await expect(store.commit([
          { collection: 'contracts', doc: { _id: c, n: 2 }, expectedVersion: 1 },
          { collection: 'no_such_collection', doc: { _id: uid() }, expectedVersion: 0 },
        ])).rejects.toThrow(/unknown collection/);
        expect(await store.get('contracts', c)).toEqual({ _id: c, n: 1, version: 1 });
      });
    });

    describe('controlled interleaving (test/support/interleave.ts), a fresh store per case', () => {
      let fresh: Store;
      beforeEach(async () => {
        fresh = await open();
      });
      afterEach(async () => {
        disarm(fresh);
        await fresh.close();
      });

      type Counter = Doc & { n: number; by?: string };
      /** Reads the counter and decides its next value: the part of a writer before its commit. */
      const decide = async (s: Store, id: string, by: string) => {
        const doc = (await s.get<Counter>('contracts', id))!;
        return { collection: 'contracts', doc: { ...doc, n: doc.n + 1, by }, expectedVersion: doc.version! };
      };
      const eventOf = (id: string, by: string): Append => ({ collection: 'events', docs: [{ _id: `${id}:${by}`, contractId: id, seq: 2, by }] });

      for (const winner of ['A', 'B'] as const) {
        it(`A and B both read version 1; the one held before its commit loses: ${winner} wins`, async () => {
          const id = uid('race');
          await fresh.insert('contracts', { _id: id, n: 0 });
          const loser = winner === 'A' ? 'B' : 'A';
          // Both read and decide first; then the loser is held on its way into commit.
          const [lose, win] = await Promise.all([decide(fresh, id, loser), decide(fresh, id, winner)]);
          const gate = holdNextCommit(fresh, writesTo('contracts', id));
          const held = fresh.commit(lose, [eventOf(id, loser)]);
          expect((await gate.reached).writes[0]!.doc).toMatchObject({ by: loser });
          expect(gate.holding).toBe(true);
          // The winner commits while the loser waits (a gate catches one write only).
          expect(await fresh.commit(win, [eventOf(id, winner)])).toEqual({ ok: true, version: 2, versions: [2] });
          gate.release();
          expect(await held).toEqual({ ok: false, reason: 'conflict' });
          expect(gate.holding).toBe(false);
          expect(await fresh.get('contracts', id)).toEqual({ _id: id, n: 1, by: winner, version: 2 });
          expect(ids(await fresh.find('events', { contractId: id }))).toEqual([`${id}:${winner}`]);
        });
      }

      it('released before anything else commits, the held writer wins and the late one loses', async () => {
        const id = uid('race');
        await fresh.insert('contracts', { _id: id, n: 0 });
        const [a, b] = [await decide(fresh, id, 'A'), await decide(fresh, id, 'B')];
        const gate = holdNextCommit(fresh, writesTo('contracts', id));
        const held = fresh.commit(a);
        await gate.reached;
        gate.release();
        expect(await held).toEqual({ ok: true, version: 2, versions: [2] });
        expect(await fresh.commit(b)).toEqual({ ok: false, reason: 'conflict' });
        expect(await fresh.get('contracts', id)).toEqual({ _id: id, n: 1, by: 'A', version: 2 });
      });

      it('a held multi-write commit that loses on one document leaves the other untouched (the face check stays usable)', async () => {
        const [c, f] = [uid('c'), uid('face')];
        await fresh.insert('contracts', { _id: c, state: 'awaiting_signatures' });
        await fresh.insert('face_checks', { _id: f, status: 'passed' });
        const gate = holdNextCommit(fresh, writesTo('face_checks'));
        const sign = fresh.commit(
          [
            { collection: 'contracts', doc: { _id: c, state: 'signed' }, expectedVersion: 1 },
            { collection: 'face_checks', doc: { _id: f, status: 'used' }, expectedVersion: 1 },
          ],
          [{ collection: 'events', docs: [{ _id: `${c}:signed`, contractId: c, seq: 2 }] }],
        );
        await gate.reached;
        // The revoke (no face check) is not held: the gate only matches commits touching face_checks.
        expect(await fresh.commit({ collection: 'contracts', doc: { _id: c, state: 'revoked' }, expectedVersion: 1 }, [
          { collection: 'events', docs: [{ _id: `${c}:revoked`, contractId: c, seq: 2 }] },
        ])).toEqual({ ok: true, version: 2, versions: [2] });
        gate.release();
        expect(await sign).toEqual({ ok: false, reason: 'conflict' });
        expect(await fresh.get('contracts', c)).toEqual({ _id: c, state: 'revoked', version: 2 });
        expect(await fresh.get('face_checks', f)).toEqual({ _id: f, status: 'passed', version: 1 });
        expect(await fresh.get('events', `${c}:signed`)).toBeNull();
      });

      it('holds a compareAndSet and an insert too; a failed gate makes the write throw having written nothing', async () => {
        const id = uid('coupon');
        await fresh.insert('coupons', { _id: id, status: 'available' });
        const gate = holdNextWrite(fresh, (i) => i.op === 'compareAndSet' && writesTo('coupons', id)(i));
        const first = fresh.compareAndSet('coupons', { _id: id, status: 'held', by: 'A' }, 1);
        expect(await gate.reached).toEqual({ op: 'compareAndSet', writes: [{ collection: 'coupons', doc: { _id: id, status: 'held', by: 'A' }, expectedVersion: 1 }], appends: [] });
        expect(await fresh.compareAndSet('coupons', { _id: id, status: 'held', by: 'B' }, 1)).toBe(true);
        gate.release();
        expect(await first).toBe(false);
        expect(await fresh.get('coupons', id)).toEqual({ _id: id, status: 'held', by: 'B', version: 2 });

        const dupId = uid('quota');
        const insertGate = holdNextWrite(fresh, (i) => i.op === 'insert' && writesTo('quota_uses', dupId)(i));
        const late = fresh.insert('quota_uses', { _id: dupId, who: 'A' });
        await insertGate.reached;
        await fresh.insert('quota_uses', { _id: dupId, who: 'B' });
        insertGate.release();
        await expect(late).rejects.toBeInstanceOf(StoreDuplicateError);

        const failing = holdNextCommit(fresh);
        const broken = fresh.commit({ collection: 'coupons', doc: { _id: id, status: 'used' }, expectedVersion: 2 });
        await failing.reached;
        failing.fail(new Error('provider down'));
        await expect(broken).rejects.toThrow('provider down');
        expect(await fresh.get('coupons', id)).toEqual({ _id: id, status: 'held', by: 'B', version: 2 });
      });
    });

    describe('find: filter operators', () => {
      const tag = `${run}-filters`;
      const docs: Doc[] = [
        { _id: `${tag}-a`, n: 1, s: 'apple', z: null, mixed: 1, nested: { city: '北京', zip: 100000 } },
        { _id: `${tag}-b`, n: 2, s: 'banana', mixed: '1', nested: { city: '上海', zip: 200000 } },
        { _id: `${tag}-c`, n: 3, s: 'cherry', mixed: true, nested: { city: '北京' } },
        { _id: `${tag}-d`, n: 10, s: '{x}', z: 5, mixed: 0, obj: { k: 1 } },
        { _id: `${tag}-e`, n: '5', s: 'date', z: 'q', mixed: false, obj: '{"k":1}' },
      ];
      const q = (filter: Filter): Promise<string[]> =>
        findIds('users', { tag, ...filter }).then((r) => r.map((id) => id.slice(tag.length + 1)));

      beforeAll(async () => {
        for (const d of docs) await store.insert('users', { ...d, tag });
      });

      it('equality and $eq (type-aware: a number never equals a string or a boolean)', async () => {
        expect(await q({})).toEqual(['a', 'b', 'c', 'd', 'e']);
        expect(await q({ n: 1 })).toEqual(['a']);
        expect(await q({ n: { $eq: 2 } })).toEqual(['b']);
        expect(await q({ s: 'cherry' })).toEqual(['c']);
        expect(await q({ n: '5' })).toEqual(['e']);
        expect(await q({ n: 5 })).toEqual([]);
        expect(await q({ mixed: 1 })).toEqual(['a']);
        expect(await q({ mixed: '1' })).toEqual(['b']);
        expect(await q({ mixed: true })).toEqual(['c']);
        expect(await q({ mixed: 0 })).toEqual(['d']);
        expect(await q({ mixed: false })).toEqual(['e']);
        expect(await q({ obj: '{"k":1}' })).toEqual(['e']);
        expect(await q({ s: '{x}' })).toEqual(['d']);
      });

      it('dot paths', async () => {
        expect(await q({ 'nested.city': '北京' })).toEqual(['a', 'c']);
        expect(await q({ 'nested.zip': { $gte: 150000 } })).toEqual(['b']);
        expect(await q({ 'nested.city': '北京', 'nested.zip': 100000 })).toEqual(['a']);
        expect(await q({ 'nested.missing.deeper': null })).toEqual(['a', 'b', 'c', 'd', 'e']);
      });

      it('null matches missing or null; $ne: null matches present non-null values', async () => {
        expect(await q({ z: null })).toEqual(['a', 'b', 'c']);
        expect(await q({ z: { $eq: null } })).toEqual(['a', 'b', 'c']);
        expect(await q({ z: { $ne: null } })).toEqual(['d', 'e']);
      });

      it('$ne matches documents missing the field, and is type-aware', async () => {
        expect(await q({ 'nested.city': { $ne: '北京' } })).toEqual(['b', 'd', 'e']);
        expect(await q({ z: { $ne: 5 } })).toEqual(['a', 'b', 'c', 'e']);
        expect(await q({ mixed: { $ne: 1 } })).toEqual(['b', 'c', 'd', 'e']);
        expect(await q({ mixed: { $ne: true } })).toEqual(['a', 'b', 'd', 'e']);
      });

      it('$in (with null matching missing, type-aware, empty list matches nothing)', async () => {
        expect(await q({ s: { $in: ['apple', 'cherry', 'nope'] } })).toEqual(['a', 'c']);
        expect(await q({ z: { $in: [null, 5] } })).toEqual(['a', 'b', 'c', 'd']);
        expect(await q({ mixed: { $in: [1, false] } })).toEqual(['a', 'e']);
        expect(await q({ n: { $in: ['5', 10] } })).toEqual(['d', 'e']);
        expect(await q({ n: { $in: [] } })).toEqual([]);
      });

      it('$lt/$lte/$gt/$gte compare only within the operand type', async () => {
        expect(await q({ n: { $gt: 1, $lte: 10 } })).toEqual(['b', 'c', 'd']);
        expect(await q({ n: { $lt: 3 } })).toEqual(['a', 'b']);
        expect(await q({ n: { $gte: 0 } })).toEqual(['a', 'b', 'c', 'd']);
        expect(await q({ n: { $gte: '0' } })).toEqual(['e']);
        expect(await q({ mixed: { $gte: 0, $lte: 1 } })).toEqual(['a', 'd']);
        expect(await q({ z: { $gt: 0 } })).toEqual(['d']);
        expect(await q({ z: { $lt: 'zzz' } })).toEqual(['e']);
        expect(await q({ s: { $gte: 'b', $lt: 'd' } })).toEqual(['b', 'c']);
        expect(await q({ s: { $gt: 'c' } })).toEqual(['c', 'd', 'e']);
        expect(await q({ obj: { $gte: '{' } })).toEqual(['e']);
      });

      it('_id conditions', async () => {
        expect(await q({ _id: `${tag}-b` })).toEqual(['b']);
        expect(await q({ _id: { $in: [`${tag}-a`, `${tag}-e`, 'nope'] } })).toEqual(['a', 'e']);
        expect(await q({ _id: { $gt: `${tag}-c` } })).toEqual(['d', 'e']);
        expect(await q({ _id: { $ne: `${tag}-a` } })).toEqual(['b', 'c', 'd', 'e']);
      });

      it('count applies the same filter', async () => {
        expect(await store.count('users', { tag })).toBe(5);
        expect(await store.count('users', { tag, z: null })).toBe(3);
        expect(await store.count('users', { tag, n: { $gte: 2 } })).toBe(3);
        expect(await store.count('users', { tag: `${tag}-none` })).toBe(0);
      });

      it('rejects field names that are not plain (dotted) identifiers', async () => {
        await expect(store.find('users', { "a') OR 1=1 --": 1 } as Filter)).rejects.toThrow();
        await expect(store.find('users', { 'a..b': 1 })).rejects.toThrow();
        await expect(store.find('users', { tag }, { orderBy: [['x; DROP TABLE users', 'asc']] })).rejects.toThrow();
        await expect(store.count('users', { tag: { $regex: 'x' } } as unknown as Filter)).rejects.toThrow();
      });
    });

    describe('find: array fields (contracts.memberOpenids)', () => {
      const m = (name: string): string => `${run}-open-${name}`;
      const tag = `${run}-arrays`;
      const c = (name: string): string => `${tag}-${name}`;

      beforeAll(async () => {
        await store.insert('contracts', { _id: c('1'), tag, memberOpenids: [m('x'), m('y')], state: 'signing', updatedAt: '2024-03-01T00:00:00Z' });
        await store.insert('contracts', { _id: c('2'), tag, memberOpenids: [m('y')], state: 'done', updatedAt: '2024-03-03T00:00:00Z' });
        await store.insert('contracts', { _id: c('3'), tag, memberOpenids: [m('z'), m('x'), m('x')], state: 'done', updatedAt: '2024-03-02T00:00:00Z' });
        await store.insert('contracts', { _id: c('4'), tag, memberOpenids: [], state: 'draft', updatedAt: '2024-03-04T00:00:00Z' });
        await store.insert('contracts', { _id: c('5'), tag, state: 'draft', updatedAt: '2024-03-05T00:00:00Z' });
      });

      it('equality means "contains"', async () => {
        expect(await findIds('contracts', { memberOpenids: m('x') })).toEqual([c('1'), c('3')]);
        expect(await findIds('contracts', { memberOpenids: { $eq: m('y') } })).toEqual([c('1'), c('2')]);
        expect(await findIds('contracts', { memberOpenids: m('nobody') })).toEqual([]);
        expect(await store.count('contracts', { memberOpenids: m('x') })).toBe(2);
      });

      it('$in means "contains any" and returns each document once', async () => {
        expect(await findIds('contracts', { memberOpenids: { $in: [m('x'), m('y'), m('z')] } })).toEqual([c('1'), c('2'), c('3')]);
        expect(await store.count('contracts', { memberOpenids: { $in: [m('x'), m('z')] } })).toBe(2);
      });

      it('combines with other conditions and orderBy (the "my contracts" query)', async () => {
        expect(
          await findIds('contracts', { memberOpenids: m('x') }, { orderBy: [['updatedAt', 'desc']] }),
        ).toEqual([c('3'), c('1')]);
        expect(await findIds('contracts', { memberOpenids: m('y'), state: 'done' })).toEqual([c('2')]);
        expect(await findIds('contracts', { state: 'done', memberOpenids: m('y') })).toEqual([c('2')]);
        expect(await findIds('contracts', { tag, state: 'done', memberOpenids: { $in: [m('x'), m('y')] } })).toEqual([c('2'), c('3')]);
        expect(await store.count('contracts', { state: 'signing', memberOpenids: m('x') })).toBe(1);
        expect(await findIds('contracts', { memberOpenids: m('y'), state: { $in: ['signing', 'done'] } }, { limit: 1, skip: 1 })).toEqual([c('2')]);
      });

      it('$ne means "does not contain" (missing and empty arrays match); null means missing', async () => {
        expect(await findIds('contracts', { tag, memberOpenids: { $ne: m('x') } })).toEqual([c('2'), c('4'), c('5')]);
        expect(await findIds('contracts', { tag, memberOpenids: null })).toEqual([c('5')]);
        expect(await findIds('contracts', { tag, memberOpenids: { $ne: null } })).toEqual([c('1'), c('2'), c('3'), c('4')]);
      });

      it('follows writes: compare-and-set, commit and remove keep the element index current', async () => {
        const id = uid('c');
        await store.insert('contracts', { _id: id, memberOpenids: [m('w1')] });
        expect(await findIds('contracts', { memberOpenids: m('w1') })).toEqual([id]);
        expect(await store.compareAndSet('contracts', { _id: id, memberOpenids: [m('w2'), m('w3')] }, 1)).toBe(true);
        expect(await findIds('contracts', { memberOpenids: m('w1') })).toEqual([]);
        expect(await findIds('contracts', { memberOpenids: m('w3') })).toEqual([id]);
        // Unchanged array, other fields changed.
        expect(await store.compareAndSet('contracts', { _id: id, memberOpenids: [m('w2'), m('w3')], n: 1 }, 2)).toBe(true);
        expect(await findIds('contracts', { memberOpenids: m('w2') })).toEqual([id]);
        // A lost commit leaves the index as it was.
        const lost = await store.commit({ collection: 'contracts', doc: { _id: id, memberOpenids: [m('w4')] }, expectedVersion: 1 }, []);
        expect(lost.ok).toBe(false);
        expect(await findIds('contracts', { memberOpenids: m('w4') })).toEqual([]);
        const won = await store.commit({ collection: 'contracts', doc: { _id: id, memberOpenids: [m('w4')] }, expectedVersion: 3 }, []);
        expect(won).toEqual({ ok: true, version: 4, versions: [4] });
        expect(await findIds('contracts', { memberOpenids: { $in: [m('w2'), m('w4')] } })).toEqual([id]);
        await store.remove('contracts', id);
        expect(await findIds('contracts', { memberOpenids: m('w4') })).toEqual([]);
      });
    });

    describe('find: ordering and paging', () => {
      const tag = `${run}-paging`;
      // Inserted in an order unrelated to _id, with ties on `score`.
      const scores = [3, 1, 2, 1, 3, 2, 1, 5, 0, 2, 3];
      const order = [7, 2, 9, 0, 4, 10, 1, 5, 8, 3, 6];
      const id = (i: number): string => `${tag}-${String(i).padStart(2, '0')}`;
      const byScore = (dir: 1 | -1) => (a: number, b: number): number =>
        (scores[a]! - scores[b]!) * dir || (id(a) < id(b) ? -1 : 1);
      const all = scores.map((_, i) => i);

      beforeAll(async () => {
        for (const i of order) await store.insert('users', { _id: id(i), tag, score: scores[i]!, group: i % 2 });
      });

      it('without orderBy returns _id order', async () => {
        expect(await findIds('users', { tag })).toEqual(all.map(id));
      });

      it('orderBy asc and desc break ties by _id ascending', async () => {
        expect(await findIds('users', { tag }, { orderBy: [['score', 'asc']] })).toEqual([...all].sort(byScore(1)).map(id));
        expect(await findIds('users', { tag }, { orderBy: [['score', 'desc']] })).toEqual([...all].sort(byScore(-1)).map(id));
      });

      it('orders by several keys', async () => {
        const expected = [...all]
          .sort((a, b) => (a % 2) - (b % 2) || byScore(-1)(a, b))
          .map(id);
        expect(await findIds('users', { tag }, { orderBy: [['group', 'asc'], ['score', 'desc']] })).toEqual(expected);
      });

      it('pages with skip/limit without duplicates or gaps', async () => {
        for (const dir of ['asc', 'desc'] as const) {
          const full = await findIds('users', { tag }, { orderBy: [['score', dir]] });
          const pages: string[] = [];
          for (let skip = 0; skip < full.length + 3; skip += 3) {
            const page = await findIds('users', { tag }, { orderBy: [['score', dir]], skip, limit: 3 });
            expect(page.length).toBe(Math.max(0, Math.min(3, full.length - skip)));
            pages.push(...page);
          }
          expect(pages).toEqual(full);
          expect(new Set(pages).size).toBe(scores.length);
        }
      });

      it('rejects a limit below 1 and a negative skip', async () => {
        await expect(store.find('users', { tag }, { limit: 0 })).rejects.toThrow();
        await expect(store.find('users', { tag }, { skip: -1 })).rejects.toThrow();
      });
    });

    describe('find: limits', () => {
      const tag = `${run}-many`;
      beforeAll(async () => {
        for (let i = 0; i < 1001; i++) await store.insert('users', { _id: `${tag}-${String(i).padStart(4, '0')}`, tag, i });
      }, 120_000);

      it('returns 100 by default and at most 1000', async () => {
        expect((await store.find('users', { tag })).length).toBe(100);
        const capped = await store.find('users', { tag }, { limit: 5000 });
        expect(capped.length).toBe(1000);
        expect(capped[999]!['i']).toBe(999);
        expect(ids(await store.find('users', { tag }, { skip: 1000, limit: 1000 }))).toEqual([`${tag}-1000`]);
        expect(await store.count('users', { tag })).toBe(1001);
      });
    });

    describe('unique index: contracts.shareToken', () => {
      it('refuses a second document with the same token; documents without a token never collide', async () => {
        const token = uid('token');
        const [a, b, c, d] = [uid('c'), uid('c'), uid('c'), uid('c')];
        await store.insert('contracts', { _id: a, shareToken: token });
        await expect(store.insert('contracts', { _id: b, shareToken: token })).rejects.toBeInstanceOf(StoreDuplicateError);
        expect(await store.get('contracts', b)).toBeNull();
        await store.insert('contracts', { _id: c });
        await store.insert('contracts', { _id: d, shareToken: null });
        expect(ids(await store.find('contracts', { shareToken: token }))).toEqual([a]);
      });

      it('a commit that would duplicate a token is a conflict; a compare-and-set throws StoreDuplicateError', async () => {
        const token = uid('token');
        const [a, b] = [uid('c'), uid('c')];
        await store.insert('contracts', { _id: a, shareToken: token });
        const res = await store.commit({ collection: 'contracts', doc: { _id: b, shareToken: token }, expectedVersion: 0 }, []);
        expect(res).toEqual({ ok: false, reason: 'conflict' });
        await store.insert('contracts', { _id: b, shareToken: `${token}-b` });
        await expect(store.compareAndSet('contracts', { _id: b, shareToken: token }, 1)).rejects.toBeInstanceOf(StoreDuplicateError);
        expect(await store.get('contracts', b)).toEqual({ _id: b, shareToken: `${token}-b`, version: 1 });
        // Moving the token away frees it.
        expect(await store.compareAndSet('contracts', { _id: a, shareToken: `${token}-a` }, 1)).toBe(true);
        expect(await store.compareAndSet('contracts', { _id: b, shareToken: token }, 1)).toBe(true);
      });
    });

    // Only adapters with a second connection to the same data can race; an in-memory store has none,
    // so these are not registered for it rather than reported as skipped.
    (opts.openSecond ? describe : () => undefined)('concurrency (two connections)', () => {
      const need = (): Store => {
        if (!second) throw new Error('unreachable');
        return second;
      };
      const maybe = it;

      maybe('sees the other connection\'s writes', async () => {
        const id = uid();
        await need().insert('users', { _id: id, a: 1 });
        expect(await store.get('users', id)).toEqual({ _id: id, a: 1, version: 1 });
        expect(await store.compareAndSet('users', { _id: id, a: 2 }, 1)).toBe(true);
        expect(await need().get('users', id)).toEqual({ _id: id, a: 2, version: 2 });
      });

      maybe('two compare-and-sets from the same version: exactly one wins', async () => {
        const id = uid();
        await store.insert('users', { _id: id, who: 'nobody' });
        const results = await Promise.all([
          store.compareAndSet('users', { _id: id, who: 'first' }, 1),
          need().compareAndSet('users', { _id: id, who: 'second' }, 1),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        const got = await store.get('users', id);
        expect(got!.version).toBe(2);
        expect(got!['who']).toBe(results[0] ? 'first' : 'second');
      });

      maybe('interleaved read/commit loops: every win is one contiguous event, every loss a conflict', async () => {
        const id = uid('counter');
        await store.insert('contracts', { _id: id, n: 0 });
        const loops = 6;
        const attempts = 25;
        let wins = 0;
        let losses = 0;
        const loop = async (s: Store): Promise<void> => {
          for (let i = 0; i < attempts; i++) {
            const doc = (await s.get<Doc & { n: number }>('contracts', id))!;
            const next = doc.version! + 1;
            const res = await s.commit({ collection: 'contracts', doc: { ...doc, n: doc.n + 1 }, expectedVersion: doc.version! }, [
              { collection: 'events', docs: [{ _id: `${id}:${next}`, contractId: id, seq: next }] },
            ]);
            if (res.ok) {
              expect(res.version).toBe(next);
              wins++;
            } else {
              expect(res).toEqual({ ok: false, reason: 'conflict' });
              losses++;
            }
          }
        };
        await Promise.all(Array.from({ length: loops }, (_, k) => loop(k % 2 ? need() : store)));
        expect(wins + losses).toBe(loops * attempts);
        expect(losses).toBeGreaterThan(0);
        const final = (await store.get<Doc & { n: number }>('contracts', id))!;
        expect(final.version).toBe(wins + 1);
        expect(final.n).toBe(wins);
        const events = ids(await store.find('events', { contractId: id }, { orderBy: [['seq', 'asc']], limit: 1000 }));
        expect(events).toEqual(Array.from({ length: wins }, (_, k) => `${id}:${k + 2}`));
      });
    });
  });
}
