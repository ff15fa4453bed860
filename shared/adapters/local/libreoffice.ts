/**
 * The DocumentConverter port on LibreOffice headless (Debian: libreoffice-writer-nogui,
 * libreoffice-calc-nogui; scripts/ensure-tools.sh installs them). Each call gets a fresh profile
 * directory (-env:UserInstallation), so concurrent conversions never share LibreOffice's lock or
 * state; it runs through execFile (an argument list, never a shell string), with a timeout after
 * which the process is killed; the file it reads is named by us (in.<type>), never by the user.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppError } from '../../errors';
import type { ConvertInput, DocumentConverter } from '../../ports/converter';

export interface LibreOfficeOptions {
  binary?: string;
  timeoutMs?: number;
}

export class LibreOfficeConverter implements DocumentConverter {
  private readonly binary: string;
  private readonly timeoutMs: number;
  constructor(o: LibreOfficeOptions = {}) {
    this.binary = o.binary ?? 'soffice';
    this.timeoutMs = o.timeoutMs ?? 60_000;
  }

  async toPdf(input: ConvertInput): Promise<Buffer> {
    const dir = await mkdtemp(path.join(tmpdir(), 'esign-convert-'));
    try {
      const source = path.join(dir, `in.${input.type}`);
      await writeFile(source, input.bytes);
      const args = [
        `-env:UserInstallation=file://${path.join(dir, 'profile')}`,
        '--headless', '--norestore', '--nolockcheck', '--nodefault', '--nofirststartwizard',
        '--convert-to', 'pdf', '--outdir', dir, source,
      ];
      const outcome = await new Promise<{ timedOut: boolean; error: Error | null }>((resolve) => {
        execFile(this.binary, args, { timeout: this.timeoutMs, killSignal: 'SIGKILL', env: { ...process.env, HOME: dir } }, (error) => {
          resolve({ timedOut: !!error && (error as NodeJS.ErrnoException & { killed?: boolean }).killed === true, error });
        });
      });
      if (outcome.timedOut) throw new AppError('PROVIDER_ERROR', undefined, { provider: 'libreoffice', reason: 'timeout' });
      if (outcome.error && (outcome.error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new AppError('PROVIDER_ERROR', undefined, { provider: 'libreoffice', reason: 'not installed' });
      // LibreOffice exits 0 even when it could not open the file: no PDF means it could not read it.
      const pdf = await readFile(path.join(dir, 'in.pdf')).catch(() => null);
      if (!pdf || pdf.length === 0) throw new AppError('FILE_UNREADABLE', undefined, { reason: 'converter could not open the file' });
      return pdf;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
