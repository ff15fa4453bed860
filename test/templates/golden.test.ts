/**
 * Golden tests of the 18 templates (T1, T3, T4): each template's example form (the catalogue's
 * 合同范文) is valid by its own schema and rules, renders to exactly the reviewed text in
 * test/templates/golden/<kind>.txt — every value in its place — and the PDF drawn from it carries
 * every form value in its text layer, with no character the font lacks.
 *
 * After a deliberate change to a template's text or example: `UPDATE_GOLDEN=1 npx jest
 * test/templates/golden.test.ts`, then read the diff of the .txt files before committing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { renderDocument } from '../../shared/documents/render';
import { KIND_NAMES, kindSpec } from '../../shared/kinds/registry';
import { previewText } from '../../shared/operations/template-get';
import { validatePayload } from '../../shared/rules/json-schema';
import { parseLprTable } from '../../shared/rules/lpr';
import lprConfig from '../../config/lpr.json';
import { tempDir, writeTemp } from '../documents/tools';
import { exampleModel, formValues, missingValues, pdfBodyText, SAMPLE_PARTIES } from '../support/templates';

jest.setTimeout(60_000);

const GOLDEN = path.join(__dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
/** A day on which every example is current: after every 'not after today' date, within the IOU's 60 days. */
const TODAY = '2026-03-01';

test('there is a golden text for every template and no other', () => {
  if (UPDATE) return;
  expect(fs.readdirSync(GOLDEN).sort()).toEqual(KIND_NAMES.map((k) => `${k}.txt`).sort());
});

describe.each(KIND_NAMES.map((k) => [k]))('%s', (kind) => {
  const spec = kindSpec(kind);
  const values = formValues(spec, spec.example);

  test('the example form passes its schema and its cross-field rules', () => {
    const form = structuredClone(spec.example);
    validatePayload(spec.formSchema, form);
    expect(() => spec.checkForm(form, { today: TODAY, lprTable: parseLprTable(lprConfig) })).not.toThrow();
    expect(values.length).toBeGreaterThan(4);
  });

  test('the preview (合同范文) is the reviewed golden text and holds every form value', async () => {
    const text = await previewText(spec);
    const file = path.join(GOLDEN, `${kind}.txt`);
    if (UPDATE) fs.writeFileSync(file, `${text}\n`);
    expect(text).toBe(fs.readFileSync(file, 'utf8').replace(/\n$/, ''));
    expect(missingValues(values, text)).toEqual([]);
    expect(text).toContain('（待填写）'); // the parties are still to fill in
  });

  test('the PDF drawn from it has every form value and both parties in its text layer, and no missing glyph', async () => {
    const rendered = await renderDocument(await exampleModel(spec));
    expect(rendered.missingCharacters).toEqual([]);
    const body = pdfBodyText(writeTemp(tempDir(), `${kind}.pdf`, rendered.bytes));
    expect(missingValues(values, body)).toEqual([]);
    for (const p of SAMPLE_PARTIES) expect(body).toContain(p.name);
    for (const r of spec.roleSpecs) expect(body).toContain(r.designation);
    expect(body).not.toContain(SAMPLE_PARTIES[0].idNumber);
  });
});
