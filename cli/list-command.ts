import { BUNDLED_DIR, listBundled, loadScenario } from '../scenarios/load.ts';
import { join } from 'node:path';

export async function listCommand(): Promise<void> {
  for (const name of listBundled()) {
    const { scenario } = await loadScenario(join(BUNDLED_DIR, `${name}.yaml`));
    const first = /^(.*?[.!?])(\s|$)/.exec(scenario.description)?.[1] ?? scenario.description;
    process.stdout.write(`${name.padEnd(20)} ${first}\n`);
  }
}
