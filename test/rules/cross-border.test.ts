import { crossBorderBlockers } from '../../shared/rules/cross-border';

describe('A6/P4 the cross-border party rule', () => {
  test('mainland parties only: nobody needs the switch', () => {
    expect(crossBorderBlockers([{ idKind: 'mainland', crossBorder: false }, { idKind: 'mainland', crossBorder: false }])).toEqual([]);
  });
  test('with an HMT resident, every mainland party without the switch blocks; HMT parties never do', () => {
    expect(crossBorderBlockers([{ idKind: 'mainland', crossBorder: false }, { idKind: 'hmt', crossBorder: false }])).toEqual([0]);
    expect(crossBorderBlockers([{ idKind: 'hmt', crossBorder: false }, { idKind: 'mainland', crossBorder: true }, { idKind: 'mainland', crossBorder: false }])).toEqual([2]);
  });
  test('with the switch on for every mainland party, the contract may go on', () => {
    expect(crossBorderBlockers([{ idKind: 'mainland', crossBorder: true }, { idKind: 'hmt', crossBorder: false }])).toEqual([]);
  });
  test('a party not known yet (对方填) neither blocks nor makes the contract cross-border', () => {
    expect(crossBorderBlockers([{ idKind: 'mainland', crossBorder: false }, { idKind: null, crossBorder: false }])).toEqual([]);
    expect(crossBorderBlockers([{ idKind: 'hmt', crossBorder: false }, { idKind: null, crossBorder: false }])).toEqual([]);
  });
});
