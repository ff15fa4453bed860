/**
 * U1: the local converter is the real LibreOffice headless (fresh profile per call, a timeout,
 * no shell): docx, xlsx and doc become PDFs with their text; what it cannot open is FILE_UNREADABLE.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LibreOfficeConverter } from '../../shared/adapters/local/libreoffice';
import { pdfInfo, sniffFile } from '../../shared/documents/file-type';
import { pdftotext, writeTemp } from '../documents/tools';
import type { AppError } from '../../shared/errors';
import { makeDocx, makeXlsx } from './make-files';

jest.setTimeout(120_000);
const converter = new LibreOfficeConverter();

describe('U1 LibreOffice conversion', () => {
  test('U1 docx and xlsx → PDF pages carrying their text; two conversions at once do not share a profile', async () => {
    const [docx, xlsx] = await Promise.all([
      converter.toPdf({ bytes: Buffer.from(makeDocx(['Cooperation agreement'], 2)), type: 'docx', storageKey: 'x' }),
      converter.toPdf({ bytes: Buffer.from(makeXlsx([['Total', 1234]])), type: 'xlsx', storageKey: 'x' }),
    ]);
    expect((await pdfInfo(docx)).pages).toHaveLength(3);
    const dir = mkdtempSync(join(tmpdir(), 'esign-lo-'));
    expect(pdftotext(writeTemp(dir, 'd.pdf', docx))).toContain('Cooperation agreement');
    expect((await pdfInfo(xlsx)).pages.length).toBeGreaterThanOrEqual(1);
    expect(pdftotext(writeTemp(dir, 'x.pdf', xlsx))).toMatch(/Total\s+1234/);
  });

  test('U1 a .doc (Word 97, made by LibreOffice from a docx) is typed as doc and converts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esign-lo-'));
    writeFileSync(join(dir, 'src.docx'), makeDocx(['Old format contract']));
    const r = spawnSync('soffice', [`-env:UserInstallation=file://${dir}/p`, '--headless', '--convert-to', 'doc', '--outdir', dir, join(dir, 'src.docx')]);
    expect(r.status).toBe(0);
    const doc = readFileSync(join(dir, 'src.doc'));
    expect(sniffFile(doc, '旧合同.doc').type).toBe('doc');
    const pdf = await converter.toPdf({ bytes: doc, type: 'doc', storageKey: 'x' });
    expect(pdftotext(writeTemp(dir, 'o.pdf', pdf))).toContain('Old format contract');
  });

  test('U1 bytes LibreOffice cannot open → FILE_UNREADABLE; a converter that hangs is killed at the timeout → PROVIDER_ERROR', async () => {
    await expect(converter.toPdf({ bytes: Buffer.from([0x50, 0x4b, 3, 4, 1, 2, 3]), type: 'xlsx', storageKey: 'x' })).rejects.toMatchObject({ code: 'FILE_UNREADABLE' });
    const dir = mkdtempSync(join(tmpdir(), 'esign-lo-'));
    const hang = join(dir, 'hang.sh');
    writeFileSync(hang, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const started = Date.now();
    const e = await new LibreOfficeConverter({ binary: hang, timeoutMs: 300 }).toPdf({ bytes: Buffer.from('x'), type: 'docx', storageKey: 'x' }).catch((x: AppError) => x);
    expect([(e as AppError).code, (e as AppError).details?.reason]).toEqual(['PROVIDER_ERROR', 'timeout']);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
