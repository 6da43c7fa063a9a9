import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../scenarios/load.ts';
import { simulate } from '../sim/simulation.ts';

describe('the user-policy example', () => {
  it('loads the policy module by path and scales on throttles soon after the burst', async () => {
    const { scenario, resolvePolicy } = await loadScenario(join(import.meta.dirname, 'burst-with-own-policy.yaml'));
    const { summary } = simulate(scenario, { resolvePolicy });
    const first = summary.scaling.actions[0]!;
    // The burst starts at 600 s; minute 600's throttles are visible at 600 + 60 + 120 s of publication delay, and the
    // policy checks every 60 s: the first action is at 780 s, 4 → 8 shards.
    expect(first).toMatchObject({ atSeconds: 780, from: 4, to: 8 });
    expect(first.reason).toMatch(/throttled records in minute 10/);
  });
});
