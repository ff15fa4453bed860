/**
 * The command-line half of every generator of a checked-in file (schema types, the templates
 * index): write the file, or with `--check` exit non-zero when the checked-in copy is stale — the
 * test suite runs the check, so a forgotten regeneration fails CI and names the command to run.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export const writeOrCheckGenerated = async (out: string, generate: () => Promise<string>, regenerate: string, describe: (text: string) => string = () => ''): Promise<void> => {
  const text = await generate();
  const rel = path.relative(path.resolve(__dirname, '..'), out);
  if (process.argv.includes('--check')) {
    const current = await fs.readFile(out, 'utf8').catch(() => '');
    if (current !== text) {
      console.error(`${rel} is stale: run \`${regenerate}\``);
      process.exit(1);
    }
    return;
  }
  await fs.writeFile(out, text);
  console.log(`wrote ${rel}${describe(text)}`);
};
