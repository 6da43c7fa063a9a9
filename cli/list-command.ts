/**
 * `ingestlab list`: one line per bundled scenario, its name and the first sentence of its description, cut to the
 * terminal. Reads only the YAML (no schema, no simulator) so it starts fast; the bundled files are validated by
 * their tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const BUNDLED_DIR = fileURLToPath(new URL('../scenarios/', import.meta.url));

export async function listCommand(): Promise<void> {
  const width = process.stdout.columns ?? 120;
  const names = readdirSync(BUNDLED_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
  for (const name of names) {
    const data = parse(readFileSync(join(BUNDLED_DIR, `${name}.yaml`), 'utf8')) as { description?: unknown } | null;
    const description = typeof data?.description === 'string' ? data.description.trim() : '';
    const first = /^(.*?[.!?])(\s|$)/.exec(description)?.[1] ?? description;
    const line = `${name.padEnd(20)} ${first}`;
    process.stdout.write(`${line.length > width ? line.slice(0, width - 1) + '…' : line}\n`);
  }
}
