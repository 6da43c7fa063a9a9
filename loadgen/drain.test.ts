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
