import { join } from 'node:path';
import { BUNDLED_DIR, listBundled, loadScenario } from '../scenarios/load.ts';

/** One line per bundled scenario: its name and the first sentence of its description, cut to the terminal. */
export async function listCommand(): Promise<void> {
  const width = process.stdout.columns ?? 120;
  for (const name of listBundled()) {
    const { scenario } = await loadScenario(join(BUNDLED_DIR, `${name}.yaml`));
    const first = /^(.*?[.!?])(\s|$)/.exec(scenario.description)?.[1] ?? scenario.description;
    const line = `${name.padEnd(20)} ${first}`;
    process.stdout.write(`${line.length > width ? line.slice(0, width - 1) + '…' : line}\n`);
  }
}
