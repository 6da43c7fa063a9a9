import { describe, expect, it } from 'vitest';
import type { ProcessorCounters } from '../pipeline/processor/stream-processor.ts';
import { drainProcessor, drainText, outstandingRecords } from './drain.ts';

const counters = (c: Partial<ProcessorCounters>): ProcessorCounters => ({
  recordsRead: 0,
  stored: 0,
  delivered: 0,
  deadLettered: 0,
  batches: 0,
  retries: 0,
  throttled: 0,
  iteratorAgeMs: 0,
  endToEndMs: { p50: 0, p95: 0, p99: 0, max: 0 },
  millisBehindLatest: 0,
  shardsRunning: 1,
  shardsFinished: 0,
  errors: 0,
  ...c,
});

/** A processor on a clock of the test's own: `progress(t)` gives its counters at t ms after the drain started. */
function clocked(progress: (t: number) => Partial<ProcessorCounters>) {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
    counters: () => counters(progress(t)),
  };
}

describe('the drain waits while the processor makes progress, and says how it ended', () => {
  it('counts what is outstanding: unread, then the larger of unstored and undelivered (dead letters count as both)', () => {
    expect(outstandingRecords(counters({ recordsRead: 80, stored: 60, delivered: 70, deadLettered: 5 }), 100)).toBe(20 + 15);
    expect(outstandingRecords(counters({ recordsRead: 100, stored: 100, delivered: 100 }), 100)).toBe(0);
  });

  it('a slow but steady processor (5 records/s, 1,000 behind) is waited for: drained after 200 s, far past a fixed 60 s', async () => {
    // Reads everything at once, stores 5 records a second (a table throttled to 100 WCU at weight 20).
    const c = clocked((t) => {
      const stored = Math.min(1_000, Math.floor(t / 200));
      return { recordsRead: 1_000, stored, delivered: stored, millisBehindLatest: 0 };
    });
    const d = await drainProcessor({ ...c, admitted: () => 1_000, stallSeconds: 60, capSeconds: 600 });
    expect(d.end).toBe('drained');
    expect(d.seconds).toBeCloseTo(200, 0);
    expect(d.outstanding).toBe(0);
  });

  it('a processor still catching up at the cap: late, with its rate and the events left', async () => {
    const c = clocked((t) => {
      const stored = Math.floor(t / 200);
      return { recordsRead: 1_000, stored, delivered: stored };
    });
    const d = await drainProcessor({ ...c, admitted: () => 1_000, stallSeconds: 60, capSeconds: 100 });
    expect(d.end).toBe('cap');
    expect(d.seconds).toBeCloseTo(100, 0);
    // 100 s at 5 records/s: 500 stored, 500 to go.
    expect(d.outstanding).toBe(500);
    expect(d.ratePerSecond).toBeCloseTo(5, 1);
    expect(drainText(d, 20)).toContain('10,000 events outstanding are late, counted in flight, not lost, about 100 s more');
  });

  it('a processor that stops moving with records outstanding has stalled: they are missing, after the stall window', async () => {
    // 10 s of progress, then nothing: 50 of 100 stored.
    const c = clocked((t) => {
      const stored = Math.min(50, Math.floor(t / 200));
      return { recordsRead: 100, stored, delivered: stored };
    });
    const d = await drainProcessor({ ...c, admitted: () => 100, stallSeconds: 30, capSeconds: 600 });
    expect(d.end).toBe('stalled');
    // Last move at 10 s, given up 30 s later.
    expect(d.seconds).toBeCloseTo(40, 0);
    expect(d.outstanding).toBe(50);
    expect(drainText(d)).toContain('missing, not late');
  });

  it('records admitted but never read count as outstanding; a processor at its tip with nothing more to read is drained at once', async () => {
    const stuck = clocked(() => ({ recordsRead: 90, stored: 90, delivered: 90 }));
    expect(await drainProcessor({ ...stuck, admitted: () => 100, stallSeconds: 5, capSeconds: 600 })).toMatchObject({ end: 'stalled', outstanding: 10 });
    const done = clocked(() => ({ recordsRead: 100, stored: 100, delivered: 100 }));
    expect(await drainProcessor({ ...done, admitted: () => 100, stallSeconds: 5, capSeconds: 600 })).toMatchObject({ end: 'drained', seconds: 0 });
  });
});

describe('the drain on the embedded pipeline', () => {
  it('a table far smaller than the load: at the drain cap the events not stored yet are late, in flight, never lost', async () => {
    const { scenario } = await import('../test/builders.ts');
    const { runOnEmbedded } = await import('./target-run.ts');
    const { targetSummary } = await import('./target-summary.ts');
    // 2 tenants × 100 events/s for 4 s (800 events) into a 1-WCU table: its 300 s of burst credits store about 300
    // at once, then 1 a second. The processor keeps making progress, so after the 5 s cap the rest is late.
    const s = scenario({
      duration: '4s',
      seed: 3,
      tenants: [{ name: 'slow', count: 2, rate: 100, noise: 'none', batchSize: 10, eventBytes: 300 }],
      kinesis: { shards: 1 },
      dynamodb: { mode: 'provisioned', writeCapacity: 1 },
    });
    const started = performance.now();
    const real = await runOnEmbedded(s, { drainSeconds: 5, drainStallSeconds: 60 });
    // The run did not wait for the processor to store the rest (about 500 s at 1 WCU/s): the cap held, and the stop
    // after it aborted the processor instead of draining it.
    expect((performance.now() - started) / 1000).toBeLessThan(50);
    expect(real.drain).toMatchObject({ end: 'cap' });
    expect(real.drained).toBe(false);
    expect(real.events.accepted).toBe(800);
    expect(real.events.missing).toBe(0);
    expect(real.events.late).toBeGreaterThan(0);
    expect(real.events.stored + real.events.late!).toBe(800);
    expect(real.audit.ok).toBe(true);
    const { summary } = targetSummary(s, real);
    expect(summary.events.lost).toBe(0);
    expect(summary.audit.balanced).toBe(true);
    expect(summary.audit.stored).toEqual({ reached: real.events.stored, lost: 0, inFlight: real.events.late, difference: 0 });
    expect(summary.audit.notes.some((n) => n.startsWith('drain: stopped waiting at the 5 s cap with the processor still catching up'))).toBe(true);
  }, 90_000);
});
