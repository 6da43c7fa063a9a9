/**
 * Results from one driver or several workers merge in one place (as autocannon's aggregateResult does), and the
 * report reads percentiles with the simulator's keys (p50, p95, p99, max: sim/latency.ts) so that predicted and
 * measured figures sit side by side.
 */
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../sim/latency.ts';
import type { LoadReport, LoadResult } from './driver.ts';

const decode = (text: string) => hdr.decodeFromCompressedBase64(text, 64);

function addInto(target: number[], source: readonly number[]): number[] {
  for (let i = 0; i < source.length; i++) target[i] = (target[i] ?? 0) + source[i]!;
  return target;
}

/** Sums counts and histograms of results of the same run (workers' shares of its tenants). */
export function mergeLoadResults(results: readonly LoadResult[]): LoadResult {
  if (results.length === 0) throw new RangeError('expected at least one load result to merge');
  if (results.length === 1) return results[0]!;
  const first = results[0]!;
  const mergeHist = (key: keyof LoadResult['histograms']) => {
    const h = decode(first.histograms[key]);
    for (const r of results.slice(1)) h.add(decode(r.histograms[key]));
    return hdr.encodeIntoCompressedBase64(h);
  };
  const sum = <T extends Record<string, number>>(pick: (r: LoadResult) => T): T => {
    const out = { ...pick(first) } as Record<string, number>;
    for (const r of results.slice(1)) for (const [k, v] of Object.entries(pick(r))) out[k] = (out[k] ?? 0) + v;
    return out as T;
  };
  return {
    ...first,
    connections: results.reduce((a, r) => a + r.connections, 0),
    elapsedSeconds: Math.max(...results.map((r) => r.elapsedSeconds)),
    scheduled: sum((r) => r.scheduled),
    sent: sum((r) => r.sent),
    lastSendAt: Math.max(...results.map((r) => r.lastSendAt)),
    sentPerSecond: results.reduce((acc, r) => addInto(acc, r.sentPerSecond), [] as number[]),
    scheduledPerSecond: results.reduce((acc, r) => addInto(acc, r.scheduledPerSecond), [] as number[]),
    scheduledEventsPerSecond: results.reduce((acc, r) => addInto(acc, r.scheduledEventsPerSecond), [] as number[]),
    events: sum((r) => r.events),
    statuses: sum((r) => r.statuses),
    connectionErrors: results.reduce((a, r) => a + r.connectionErrors, 0),
    timeouts: results.reduce((a, r) => a + r.timeouts, 0),
    connectionWaits: results.reduce((a, r) => a + r.connectionWaits, 0),
    aborted: results.some((r) => r.aborted),
    histograms: { latency: mergeHist('latency'), ingestLatency: mergeHist('ingestLatency'), sendLag: mergeHist('sendLag') },
  };
}

/** Percentiles in ms (histograms hold µs); none above the recorded maximum, as the simulator reports them. */
export function percentilesMs(encoded: string): LatencySummary {
  const h = decode(encoded);
  if (h.totalCount === 0) return { p50: 0, p95: 0, p99: 0, max: 0 };
  const max = h.maxValue;
  const at = (p: number) => round3(Math.min(h.getValueAtPercentile(p), max) / 1000);
  return { p50: at(50), p95: at(95), p99: at(99), max: round3(max / 1000) };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The figures a person or a summary reads. Rates are first attempts per wall second. */
export function loadReport(result: LoadResult): LoadReport {
  const { histograms, ...rest } = result;
  const targetRate = result.wallDuration > 0 ? result.scheduled.requests / result.wallDuration : 0;
  // Sent late stretches the span: a generator that falls behind shows a lower achieved rate, never a higher one.
  const span = Math.max(result.wallDuration, result.lastSendAt);
  const achievedRate = span > 0 ? result.sent.requests / span : 0;
  return {
    ...rest,
    targetRate,
    achievedRate,
    rateRatio: targetRate > 0 ? achievedRate / targetRate : 1,
    latencyMs: percentilesMs(histograms.latency),
    ingestLatencyMs: percentilesMs(histograms.ingestLatency),
    sendLagMs: percentilesMs(histograms.sendLag),
  };
}
