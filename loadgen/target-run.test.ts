/**
 * A scenario on the embedded pipeline (real emulators on 127.0.0.1, the quota gateway, the processor), driven by the
 * load generator, against the simulator on the same scenario and seed. Slow: about 10 s of provisioning, load and drain.
 */
import { describe, expect, it } from 'vitest';
import { scenario } from '../test/builders.ts';
import { simulate } from '../sim/simulation.ts';
import { fidelityOf } from './fidelity.ts';
import { runOnEmbedded } from './target-run.ts';

describe('scenario on the embedded target', () => {
  it('stores and delivers every accepted event exactly once, offering exactly what the simulator offers', async () => {
    // 3 tenants, Poisson arrivals around 20 events/s each in batches of 4, for 3 s: about 180 events.
    const s = scenario({ duration: '3s', seed: 21, tenants: [{ name: 'fid', count: 3, rate: 20, batchSize: 4, eventBytes: 300 }] });
    const real = await runOnEmbedded(s);
    const { summary } = simulate(s);
    expect(real.drained).toBe(true);
    expect(real.events.offered).toBe(summary.events.offered);
    expect(real.events.accepted).toBe(real.events.offered);
    expect(real.events.stored).toBe(real.events.accepted);
    expect(real.events.delivered).toBe(real.events.accepted);
    expect(real.events.missing).toBe(0);
    expect(real.audit.ok).toBe(true);
    expect(real.audit.storedTwice).toBe(0);
    // What the summary's cost and timeline are built from: the gateway let exactly the accepted events into Kinesis,
    // and its per-minute series add up to its totals.
    expect(real.metered.kinesisRecords).toBe(real.events.accepted);
    expect(real.metered.minutes!.reduce((a, m) => a + m.kinesisIncomingRecords, 0)).toBe(real.events.accepted);
    expect(real.metered.minutes!.reduce((a, m) => a + m.firehoseIncomingRecords, 0)).toBe(real.events.accepted);
    expect(real.metered.apiRequests).toBe(real.load.sent.requests + real.load.sent.retries);
    expect(real.metered.processorBatches).toBeGreaterThan(0);
    const rows = fidelityOf(summary, real).rows;
    // Nothing is throttled or dropped on either side; every count agrees exactly.
    for (const metric of ['offered', 'accepted', 'stored', 'delivered', 'dropped', 'throttled (Kinesis)']) {
      expect(rows.find((r) => r.metric === metric)).toMatchObject({ relDiff: 0, differs: false });
    }
  }, 60_000);

  it('refuses a sample that would send none of the scenario, before starting anything (2,400 events at 1 in 10,000)', async () => {
    const tiny = scenario({ duration: '2m', tenants: [{ name: 't', count: 2, rate: 10, noise: 'none' }], kinesis: { shards: 1 } });
    await expect(runOnEmbedded(tiny, { sample: 0.0001 })).rejects.toThrow(/sends none of the scenario's 2,400 events: a run of it needs a sample of at least 0\.00042/);
  });
});
