/** A4/C8 email addresses as typed: normalised, or VALIDATION_FAILED without echoing the address. */
import { maskEmail, parseEmail } from '../../shared/rules/email';
import { expectCode } from './helpers';

describe('A4 parseEmail', () => {
  it.each([
    ['wang@example.com', 'wang@example.com'],
    ['  Wang.Li@Example.COM \n', 'Wang.Li@example.com'],
    ['a+tag@mail.qq.com', 'a+tag@mail.qq.com'],
    ['x_y-z@sub-domain.example.cn', 'x_y-z@sub-domain.example.cn'],
  ])('%p → %p', (raw, out) => expect(parseEmail(raw)).toBe(out));

  it.each([
    ['no @', 'wang.example.com'],
    ['two @', 'a@b@example.com'],
    ['empty local part', '@example.com'],
    ['no TLD', 'wang@localhost'],
    ['numeric TLD', 'wang@example.123'],
    ['space inside', 'wang li@example.com'],
    ['leading dot', '.wang@example.com'],
    ['double dot', 'wang..li@example.com'],
    ['label starting with a hyphen', 'wang@-example.com'],
    ['angle brackets', '<wang@example.com>'],
    ['non-ASCII', '王@例子.中国'],
    ['too long', `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`],
    ['local part over 64', `${'a'.repeat(65)}@example.com`],
  ])('refuses %s', (_l, raw) => {
    const e = expectCode(() => parseEmail(raw, '/destination'), 'VALIDATION_FAILED');
    expect(e.details).toEqual({ fields: [{ field: '/destination', rule: 'email' }] });
  });

  it.each([[undefined], [null], [42]])('refuses a non-string %p', (raw) => {
    expectCode(() => parseEmail(raw), 'VALIDATION_FAILED');
  });

  it('masks all but the first character of the local part', () => {
    expect(maskEmail('wang@example.com')).toBe('w***@example.com');
    expect(maskEmail('')).toBe('');
  });
});
