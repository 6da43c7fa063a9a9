/**
 * Latency distributions in HDR histograms (the measurement contract autocannon uses, so simulated and measured runs
 * report the same percentile keys). The simulator records aggregated flows, i.e. fractional event counts at a
 * latency; counts are scaled by 1,000 and rounded, which keeps percentiles exact to 0.1% of an event.
 */
import * as hdr from 'hdr-histogram-js';

const COUNT_SCALE = 1000;

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export class LatencyRecorder {
  private readonly histogram = hdr.build({
    bitBucketSize: 64,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 30 * 86_400_000,
    numberOfSignificantValueDigits: 3,
  });
  private any = false;

  /** `count` events (may be fractional) took `ms` milliseconds. */
  record(ms: number, count: number): void {
    const scaled = Math.round(count * COUNT_SCALE);
    if (scaled <= 0) return;
    this.histogram.recordValueWithCount(Math.max(1, Math.round(ms)), scaled);
    this.any = true;
  }

  summary(): LatencySummary {
    if (!this.any) return { p50: 0, p95: 0, p99: 0, max: 0 };
    const h = this.histogram;
    // HDR reports a percentile as the top of its bucket (3 significant digits), which can sit above the recorded
    // maximum; no percentile is above the maximum.
    const max = h.maxValue;
    const at = (p: number) => Math.min(h.getValueAtPercentile(p), max);
    return { p50: at(50), p95: at(95), p99: at(99), max };
  }
}
