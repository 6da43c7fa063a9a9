// The README's example scenario must be what it says it is (issue 9 #10): the bundled burst-spike, so that running
// it as shown gives the README's output rather than, say, a stream that scales 4 → 2 at 45 s.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseScenario } from './load.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const block = /```yaml\n(name: burst-spike\n[\s\S]*?)```/.exec(readme)?.[1];

it('the README\'s example YAML parses to the bundled burst-spike, key for key (description aside)', () => {
  expect(block, 'a ```yaml block starting with name: burst-spike in README.md').toBeDefined();
  const shown = parseScenario(block!, 'README.md');
  const bundled = parseScenario(readFileSync(new URL('./burst-spike.yaml', import.meta.url), 'utf8'), 'burst-spike.yaml');
  expect({ ...shown, description: '' }).toEqual({ ...bundled, description: '' });
});
