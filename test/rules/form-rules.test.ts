/**
 * The declarative cross-field rules of template forms (shared/rules/form-rules.ts): the product
 * rule (a total outside any list: area × price per unit), and how a rule written in template data
 * is read and checked against the form schema.
 */
import { isAppError } from '../../shared/errors';
import { checkFormRules, parseFormRule, type FormRule } from '../../shared/rules/form-rules';
import { parseLprTable } from '../../shared/rules/lpr';
import lpr from '../../config/lpr.json';
import { parseTemplate } from '../../shared/kinds/template-data';
import { TEMPLATE_SOURCES } from '../../templates';

const ctx = { today: '2026-03-01', lprTable: parseLprTable(lpr) };
const product = parseFormRule(
  { rule: 'product', field: '/fee/totalFen', quantity: '/areaMu', unitPrice: '/fee/perMuFen', code: 'TOTAL_MISMATCH', message: '合计须等于面积乘以单价' },
  'test',
) as FormRule;
const form = (areaMu: number, perMuFen: number, totalFen: number) => ({ areaMu, fee: { perMuFen, totalFen } });
const refusal = (f: Record<string, unknown>) => {
  try {
    checkFormRules([product], f, ctx);
  } catch (e) {
    if (isAppError(e)) return { code: e.code, message: e.message, details: e.details };
    throw e;
  }
  return null;
};

describe('product: a total is quantity × unit price, rounded half up to the fen', () => {
  test.each([
    [1250.5, 1200, 1_500_600],
    [3, 333, 999],
    [1.005, 100, 101], // 100.5 fen → 101 (floating point alone says 100.49999…)
    [0.5, 1, 1],
    [0, 1200, 0],
  ])('%d × %d fen = %d fen passes', (q, p, total) => {
    expect(refusal(form(q, p, total))).toBeNull();
  });
  test('one fen off is TOTAL_MISMATCH with the field, the amount and the expected total', () => {
    expect(refusal(form(1250.5, 1200, 1_500_601))).toEqual({
      code: 'TOTAL_MISMATCH', message: '合计须等于面积乘以单价', details: { rule: 'product', field: '/fee/totalFen', amount: 1_500_601, expected: 1_500_600 },
    });
  });
  test('a part left out is the schema\'s business: the rule does not apply', () => {
    expect(refusal({ areaMu: 3, fee: { perMuFen: 100 } })).toBeNull();
  });
  test('written wrong in template data, it stops the load with the place named', () => {
    expect(() => parseFormRule({ rule: 'product', field: '/a', quantity: '/b', code: 'TOTAL_MISMATCH', message: 'm' }, 'templates/x/template.json rules[0]')).toThrow(
      'templates/x/template.json rules[0]: unitPrice must be a JSON pointer like "/endDate"',
    );
  });
});

test('a template whose rule reads a field its form does not have fails to load, naming the file', () => {
  const src = TEMPLATE_SOURCES.find((s) => s.kind === 'grassland_transfer')!;
  const template = structuredClone(src.template) as { rules: Array<Record<string, unknown>> };
  template.rules.push({ rule: 'product', field: '/fee/annualTotalFen', quantity: '/land/areaHectares', unitPrice: '/fee/perMuPerYearFen', code: 'TOTAL_MISMATCH', message: 'm' });
  expect(() => parseTemplate({ ...src, template })).toThrow('templates/grassland_transfer/template.json: a product rule reads /land/areaHectares, which the form schema does not have');
});
