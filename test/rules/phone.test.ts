import fc from 'fast-check';
import { isValidMobile, maskPhone, parseMobile } from '../../shared/rules';
import { expectCode } from './helpers';

describe('P1 mainland mobile number', () => {
  it.each([
    ['13812345678', '13812345678'],
    ['19912345678', '19912345678'],
    ['+8613812345678', '13812345678'],
    ['8613812345678', '13812345678'],
    ['+86 138 1234 5678', '13812345678'],
    ['138-1234-5678', '13812345678'],
    ['+86-138-1234-5678', '13812345678'],
    [' 13812345678 ', '13812345678'],
    ['\t138 1234\u00a05678', '13812345678'], // non-breaking space from copied contacts
  ])('parseMobile(%p) = %s', (raw, out) => {
    expect(parseMobile(raw)).toBe(out);
    expect(isValidMobile(raw)).toBe(true);
  });

  it.each([
    ['12812345678', 'second digit 2'],
    ['10812345678', 'second digit 0'],
    ['1381234567', '10 digits'],
    ['138123456789', '12 digits'],
    ['23812345678', 'not starting with 1'],
    ['+8523812345678', 'Hong Kong prefix'],
    ['+86+8613812345678', 'double prefix'],
    ['868613812345678', 'double 86'],
    ['0086 13812345678', '0086 international prefix'],
    ['(010)12345678', 'landline'],
    ['138.1234.5678', 'dots'],
    ['１３８１２３４５６７８', 'fullwidth digits'],
    ['', 'empty'],
    ['+86', 'prefix only'],
  ])('refuses %p (%s) with INVALID_PHONE', (raw) => {
    expectCode(() => parseMobile(raw), 'INVALID_PHONE');
    expect(isValidMobile(raw)).toBe(false);
  });

  it.each([[undefined], [null], [13812345678]])('refuses a non-string %p with INVALID_PHONE', (raw) => {
    expectCode(() => parseMobile(raw), 'INVALID_PHONE');
  });

  it('every generated mobile survives any mix of prefix, spaces and hyphens', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^1[3-9]\d{9}$/),
        fc.constantFrom('', '+86', '86', '+86 ', '86-'),
        fc.array(fc.integer({ min: 1, max: 10 }), { maxLength: 4 }),
        fc.constantFrom(' ', '-'),
        (mobile, prefix, cuts, sep) => {
          let s = mobile;
          for (const c of [...cuts].sort((a, b) => b - a)) s = s.slice(0, c) + sep + s.slice(c);
          expect(parseMobile(prefix + s)).toBe(mobile);
        },
      ),
    );
  });

  it.each([
    ['13812345678', '138****5678'],
    ['+8613812345678', '**********5678'],
    ['1234567', '*******'],
    ['', ''],
  ])('maskPhone(%p) = %s', (raw, masked) => {
    expect(maskPhone(raw)).toBe(masked);
  });
});
