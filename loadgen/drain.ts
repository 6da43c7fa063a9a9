/**
 * The drain after a real run's load (loadgen/target-run.ts): how long to wait for the processor to read, store and hand
 * on everything Kinesis admitted before the audit counts what arrived.
 *
 * A fixed limit cannot be right: a scenario whose table is smaller than its stream's rate (the default 100 WCU under
 * one shard's 1,000 records/s) takes many minutes to drain, in the simulator as on the real pipeline, and a run that
 * gave up after a minute reported the events still in the stream as lost. So the drain waits as long as the
 * processor keeps making progress (records read, stored, delivered or dead-lettered going up), and ends:
 * - `drained`: every admitted record read, and each stored (or dead-lettered) and handed to Firehose;
 * - `stalled`: nothing moved for `stallSeconds` while records were still outstanding: those are missing, and the audit
 *   says which (exit 98);
 * - `cap`: still progressing at the hard cap (`capSeconds`): what is outstanding is late, not lost; the audit counts
 *   it in flight and the report says how far behind the processor was and at what rate it was catching up;
 * - `aborted`: the run was stopped.
 */
import type { ProcessorCounters } from '../pipeline/processor/stream-processor.ts';

export type DrainEnd = 'drained' | 'stalled' | 'cap' | 'aborted' | 'no-processor';

export interface DrainReport {
  readonly end: DrainEnd;
  /** Wall seconds waited. */
  readonly seconds: number;
  /** Records Kinesis admitted (sent units) not yet read, stored or delivered by the processor when the drain ended. */
  readonly outstanding: number;
  /** Records the processor completed (stored or dead-lettered) per wall second over the last stall window. */
  readonly ratePerSecond: number;
  /** The limits it ran with, wall seconds. */
  readonly stallSeconds: number;
  readonly capSeconds: number;
}

export interface DrainOptions {
  /** The processor's counters now (undefined: no processor to wait for). */
  readonly counters: () => ProcessorCounters | undefined;
  /** Records Kinesis admitted so far, sent units. */
  readonly admitted: () => number;
  /** Give up when nothing moved for this long (wall seconds). */
  readonly stallSeconds: number;
  /** Never wait longer than this (wall seconds). */
  readonly capSeconds: number;
  readonly signal?: AbortSignal;
  /** Poll interval (ms, default 250), clock and sleep: tests run it on a clock of their own. */
  readonly pollMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Records still to go: unread, read but neither stored nor dead-lettered, or not handed to Firehose. */
export function outstandingRecords(c: ProcessorCounters, admitted: number): number {
  const unread = Math.max(0, admitted - c.recordsRead);
  const unstored = Math.max(0, c.recordsRead - c.stored - c.deadLettered);
  const undelivered = Math.max(0, c.recordsRead - c.delivered - c.deadLettered);
  return unread + Math.max(unstored, undelivered);
}

const progressOf = (c: ProcessorCounters) => c.recordsRead + c.stored + c.delivered + c.deadLettered;

export async function drainProcessor(options: DrainOptions): Promise<DrainReport> {
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pollMs = options.pollMs ?? 250;
  const start = now();
  const stallMs = options.stallSeconds * 1000;
  const capMs = options.capSeconds * 1000;
  let lastProgress = -1;
  let lastMoveAt = start;
  /** (time, stored + dead-lettered) samples over the last stall window, for the catch-up rate. */
  const samples: Array<[number, number]> = [];
  const report = (end: DrainEnd, outstanding: number): DrainReport => {
    const first = samples[0];
    const last = samples[samples.length - 1];
    const span = first && last ? (last[0] - first[0]) / 1000 : 0;
    return {
      end,
      seconds: (now() - start) / 1000,
      outstanding,
      ratePerSecond: span > 0 ? (last![1] - first![1]) / span : 0,
      stallSeconds: options.stallSeconds,
      capSeconds: options.capSeconds,
    };
  };
  for (;;) {
    const c = options.counters();
    if (!c) return report('no-processor', 0);
    const t = now();
    const outstanding = outstandingRecords(c, options.admitted());
    samples.push([t, c.stored + c.deadLettered]);
    while (samples.length > 1 && samples[0]![0] < t - stallMs) samples.shift();
    if (outstanding < 0.5 && c.millisBehindLatest === 0) return report('drained', 0);
    const progress = progressOf(c);
    if (progress !== lastProgress) {
      lastProgress = progress;
      lastMoveAt = t;
    }
    if (options.signal?.aborted) return report('aborted', outstanding);
    if (t - lastMoveAt >= stallMs) return report('stalled', outstanding);
    if (t - start >= capMs) return report('cap', outstanding);
    await sleep(pollMs);
  }
}

/** One line for the run's output and summary notes. */
export function drainText(d: DrainReport, weight = 1): string {
  const n = (x: number) => Math.round(x * weight).toLocaleString('en-US');
  switch (d.end) {
    case 'drained':
      return `drained in ${d.seconds.toFixed(1)} s`;
    case 'no-processor':
      return 'no processor to wait for';
    case 'aborted':
      return `stopped after ${d.seconds.toFixed(1)} s with ${n(d.outstanding)} events outstanding`;
    case 'stalled':
      return `gave up after ${d.seconds.toFixed(1)} s: the processor made no progress for ${d.stallSeconds} s with ${n(d.outstanding)} events outstanding (missing, not late)`;
    case 'cap': {
      const eta = d.ratePerSecond > 0 ? `, about ${Math.ceil(d.outstanding / d.ratePerSecond)} s more at its rate` : '';
      return `stopped waiting at the ${d.capSeconds} s cap with the processor still catching up (${n(d.ratePerSecond)} events/s): ${n(d.outstanding)} events outstanding are late, counted in flight, not lost${eta}`;
    }
  }
}
