import fc from 'fast-check';
import { ageOn, checkAge, IOU_AGE, maskIdNumber, parseResidentId, RECEIPT_AGE, RESIDENCY_LABELS, residencyOf, residentIdCheckChar } from '../../shared/rules';
import { expectCode, isoCheckChar, makeId } from './helpers';

const TODAY = '2026-03-15';

describe('P1 resident ID number (GB 11643-1999)', () => {
  it('accepts the standard textbook example 11010519491231002X', () => {
    expect(parseResidentId('11010519491231002X', TODAY)).toEqual({
      normalized: '11010519491231002X',
      birthDate: '1949-12-31',
      sex: 'F',
      regionCode: '110105',
      kind: 'mainland',
      residency: 'mainland',
    });
  });

  it.each([
    // [label, raw, normalized, birthDate, sex, kind, residency]
    ['male, Beijing', makeId('1990-03-07', { seq: '123' }), '1990-03-07', 'M', 'mainland', 'mainland'],
    ['female, Guangdong', makeId('1985-12-31', { region: '440305', seq: '246' }), '1985-12-31', 'F', 'mainland', 'mainland'],
    ['Xinjiang', makeId('2000-02-29', { region: '650102', seq: '001' }), '2000-02-29', 'M', 'mainland', 'mainland'],
    ['born 1900-01-01 (earliest)', makeId('1900-01-01'), '1900-01-01', 'M', 'mainland', 'mainland'],
    ['born today (newborn)', makeId(TODAY), TODAY, 'M', 'mainland', 'mainland'],
    ['P4 Hong Kong permit', makeId('1988-06-01', { region: '810000' }), '1988-06-01', 'M', 'hmt', 'hong_kong'],
    ['P4 Macau permit', makeId('1988-06-01', { region: '820000', seq: '002' }), '1988-06-01', 'F', 'hmt', 'macau'],
    ['P4 Taiwan permit', makeId('1988-06-01', { region: '830000' }), '1988-06-01', 'M', 'hmt', 'taiwan'],
  ])('accepts %s', (_label, raw, birthDate, sex, kind, residency) => {
    expect(parseResidentId(raw, TODAY)).toEqual({ normalized: raw, birthDate, sex, regionCode: raw.slice(0, 6), kind, residency });
  });

  it('accepts a lower-case x check character and normalises it to upper case', () => {
    // find a sequence whose check character is X
    const seq = ['000', '001', '002', '003', '004', '005', '006', '007', '008', '009', '010', '011']
      .find((s) => makeId('1990-01-01', { seq: s }).endsWith('X'))!;
    const id = makeId('1990-01-01', { seq });
    expect(id.endsWith('X')).toBe(true);
    expect(parseResidentId(id.toLowerCase(), TODAY).normalized).toBe(id);
  });

  it('ignores surrounding whitespace (pasted values)', () => {
    const id = makeId('1990-03-07');
    expect(parseResidentId(`  ${id}\n`, TODAY).normalized).toBe(id);
  });

  const valid = makeId('1990-03-07');
  const wrongCheck = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
  it.each([
    ['wrong checksum', wrongCheck, 'checksum'],
    ['birth date 1999-02-30', makeId('1999-02-30'), 'birthDate'],
    ['birth date 1999-13-01', makeId('1999-13-01'), 'birthDate'],
    ['birth date 2023-02-29 (not a leap year)', makeId('2023-02-29'), 'birthDate'],
    ['future birth date (tomorrow)', makeId('2026-03-16'), 'birthDate'],
    ['birth before 1900', makeId('1899-12-31'), 'birthDate'],
    ['17 characters', valid.slice(0, 17), 'format'],
    ['19 characters', `${valid}1`, 'format'],
    ['15-digit first-generation number', '110105491231002', 'format'],
    ['X not in last place', `X${valid.slice(1)}`, 'format'],
    ['letter other than X', `${valid.slice(0, 17)}Y`, 'format'],
    ['inner space', `${valid.slice(0, 6)} ${valid.slice(6)}`, 'format'],
    ['fullwidth digits', valid.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))), 'format'],
    ['empty', '', 'format'],
    ['region 99 (not a province)', makeId('1990-03-07', { region: '990101' }), 'region'],
    ['region 16 (starts with 1 but no such province)', makeId('1990-03-07', { region: '160101' }), 'region'],
    ['region 71 (Taiwan in GB/T 2260, not issued)', makeId('1990-03-07', { region: '710101' }), 'region'],
    ['region 84 (no such permit)', makeId('1990-03-07', { region: '840000' }), 'region'],
    ['HK permit with a non-zero tail', makeId('1990-03-07', { region: '810101' }), 'region'],
    ['region 0', makeId('1990-03-07', { region: '010101' }), 'region'],
  ])('refuses %s with INVALID_ID_NUMBER', (_label, raw, reason) => {
    const e = expectCode(() => parseResidentId(raw, TODAY), 'INVALID_ID_NUMBER');
    expect(e.details).toEqual({ reason }); // details say why, never echo the number
  });

  it.each([[undefined], [null], [110105194912310020]])('refuses a non-string %p', (raw) => {
    expectCode(() => parseResidentId(raw, TODAY), 'INVALID_ID_NUMBER');
  });

  it('the check character agrees with the iterative ISO 7064 form for any 17 digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{17}$/), (first17) => {
        expect(residentIdCheckChar(first17)).toBe(isoCheckChar(first17));
      }),
    );
  });

  it('detects every single-digit substitution that leaves region and birth date valid (MOD 11-2)', () => {
    fc.assert(
      fc.property(fc.constantFrom(2, 3, 4, 5, 14, 15, 16), fc.integer({ min: 1, max: 9 }), (p, delta) => {
        const changed = valid.slice(0, p) + ((Number(valid[p]) + delta) % 10) + valid.slice(p + 1);
        expect(expectCode(() => parseResidentId(changed, TODAY), 'INVALID_ID_NUMBER').details).toEqual({ reason: 'checksum' });
      }),
    );
    for (const c of '0123456789X'.replace(valid[17]!, '')) {
      expect(expectCode(() => parseResidentId(valid.slice(0, 17) + c, TODAY), 'INVALID_ID_NUMBER').details).toEqual({ reason: 'checksum' });
    }
  });
});

describe('P4/A6 港澳台居民居住证 numbers', () => {
  it.each([
    ['810000', 'hong_kong', '中国香港'],
    ['820000', 'macau', '中国澳门'],
    ['830000', 'taiwan', '中国台湾'],
    ['110101', 'mainland', '中国大陆'],
    ['440305', 'mainland', '中国大陆'],
  ] as const)('address code %s tells residency %s (%s)', (region, residency, label) => {
    const id = makeId('1990-05-20', { region, seq: '017' });
    expect(residencyOf(id, TODAY)).toBe(residency);
    expect(RESIDENCY_LABELS[residency]).toBe(label);
    expect(parseResidentId(id, TODAY).kind).toBe(residency === 'mainland' ? 'mainland' : 'hmt');
  });

  it.each([
    ['810001', 'only 810000 is issued to Hong Kong residents'],
    ['820100', 'only 820000 to Macau residents'],
    ['831000', 'only 830000 to Taiwan residents'],
    ['800000', 'no 80 code'],
    ['840000', 'no 84 code'],
    ['910000', 'no 91 code'],
  ])('refuses address code %s (%s) as region', (region) => {
    expect(expectCode(() => residencyOf(makeId('1990-05-20', { region }), TODAY), 'INVALID_ID_NUMBER').details).toEqual({ reason: 'region' });
  });

  it('checks the GB 11643 check character exactly as for mainland numbers: every wrong one is refused', () => {
    for (const region of ['810000', '820000', '830000']) {
      const id = makeId('1979-11-03', { region, seq: '052' });
      expect(id[17]).toBe(residentIdCheckChar(id.slice(0, 17)));
      for (const c of '0123456789X'.replace(id[17]!, '')) {
        expect(expectCode(() => parseResidentId(id.slice(0, 17) + c, TODAY), 'INVALID_ID_NUMBER').details).toEqual({ reason: 'checksum' });
      }
      // A substituted sequence digit is caught too (MOD 11-2 detects every single substitution).
      const changed = id.slice(0, 15) + ((Number(id[15]) + 3) % 10) + id.slice(16);
      expect(expectCode(() => parseResidentId(changed, TODAY), 'INVALID_ID_NUMBER').details).toEqual({ reason: 'checksum' });
    }
  });

  it('a permit with an impossible birth date is refused like a mainland number', () => {
    expect(expectCode(() => parseResidentId(makeId('1990-02-30', { region: '830000' }), TODAY), 'INVALID_ID_NUMBER').details).toEqual({ reason: 'birthDate' });
  });

  it('I1/R1 ages from a permit: the IOU range 22–75 and the receipt range 18–75 apply as for mainland numbers', () => {
    const hk21 = parseResidentId(makeId('2004-03-16', { region: '810000' }), TODAY); // 22 tomorrow
    expect(ageOn(hk21.birthDate, TODAY)).toBe(21);
    expectCode(() => checkAge(hk21.birthDate, TODAY, IOU_AGE), 'AGE_OUT_OF_RANGE');
    expect(checkAge(hk21.birthDate, '2026-03-16', IOU_AGE)).toBe(22);
    expect(checkAge(hk21.birthDate, TODAY, RECEIPT_AGE)).toBe(21);
    const tw76 = parseResidentId(makeId('1950-03-15', { region: '830000', seq: '008' }), TODAY); // 76 today
    expectCode(() => checkAge(tw76.birthDate, TODAY, IOU_AGE), 'AGE_OUT_OF_RANGE');
    const mo75 = parseResidentId(makeId('1950-03-16', { region: '820000' }), TODAY);
    expect(checkAge(mo75.birthDate, TODAY, IOU_AGE)).toBe(75);
    expect(tw76.sex).toBe('F');
  });
});

describe('I1/R1 ageOn: full years on a China calendar day', () => {
  it.each([
    ['2004-03-15', '2026-03-14', 21], // the day before the 22nd birthday
    ['2004-03-15', '2026-03-15', 22], // on the birthday
    ['2004-03-15', '2026-03-16', 22],
    ['1950-03-15', '2026-03-14', 75],
    ['1950-03-15', '2026-03-15', 76],
    ['2000-01-01', '2000-01-01', 0],
    ['2000-12-31', '2001-01-01', 0],
    ['2000-02-29', '2001-02-28', 0], // Feb 29 birthday: not yet on Feb 28 of a non-leap year
    ['2000-02-29', '2001-03-01', 1], // … counts on Mar 1
    ['2000-02-29', '2004-02-28', 3],
    ['2000-02-29', '2004-02-29', 4], // and on Feb 29 itself in a leap year
    ['1999-03-01', '2000-02-29', 0],
    ['1999-03-01', '2000-03-01', 1],
  ])('born %s, on %s → %i', (birth, day, age) => {
    expect(ageOn(birth, day)).toBe(age);
  });

  it('refuses a day before the birth date or invalid days with INVALID_DATE', () => {
    expectCode(() => ageOn('2000-01-02', '2000-01-01'), 'INVALID_DATE');
    expectCode(() => ageOn('2000-02-30', '2020-01-01'), 'INVALID_DATE');
    expectCode(() => ageOn('2000-01-01', '2020-13-01'), 'INVALID_DATE');
  });
});

describe('P1 maskIdNumber', () => {
  it.each([
    ['11010519491231002X', '1101**********002X'],
    ['110101199003071234', '1101**********1234'],
    ['1101011990030712', '1101********0712'],
    ['12345678', '12****78'],
    ['123', '***'],
    ['', ''],
  ])('%s → %s', (id, masked) => {
    expect(maskIdNumber(id)).toBe(masked);
  });
});
