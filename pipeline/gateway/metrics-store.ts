/**
 * The gateway's CloudWatch: per-minute statistics (Sum, SampleCount, Minimum, Maximum) of every series, in minutes of
 * SCENARIO time, each visible only once the simulator's publication rule says so (sim/cloudwatch.ts `publicationTime`).
 */
import { publicationTime } from '../../sim/cloudwatch.ts';
import type { ScenarioClock } from './scenario-clock.ts';

export type Dimensions = Readonly<Record<string, string>>;

export interface MinuteStat {
  /** Scenario seconds at which the minute starts. */
  readonly minute: number;
  sum: number;
  count: number;
  min: number;
  max: number;
}

export interface SeriesInfo {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Dimensions;
  readonly unit: string;
}

/** Minutes a series keeps: a day of scenario time (policies look back at most an hour). */
const KEEP_MINUTES = 1440;

class Series {
  readonly minutes = new Map<number, MinuteStat>();
  constructor(readonly info: SeriesInfo) {}
}

export function seriesKey(namespace: string, name: string, dimensions: Dimensions): string {
  const dims = Object.keys(dimensions)
    .sort()
    .map((k) => `${k}=${dimensions[k]}`)
    .join(',');
  return `${namespace}\u0000${name}\u0000${dims}`;
}

export class MetricsStore {
  private readonly series = new Map<string, Series>();

  constructor(
    private readonly clock: ScenarioClock,
    readonly publishDelaySeconds: number,
  ) {}

  /** Adds one sample at scenario time `at` (default now). */
  add(namespace: string, name: string, dimensions: Dimensions, value: number, unit = 'Count', at = this.clock.now()): void {
    const key = seriesKey(namespace, name, dimensions);
    let s = this.series.get(key);
    if (!s) {
      s = new Series({ namespace, name, dimensions: { ...dimensions }, unit });
      this.series.set(key, s);
    }
    const minute = Math.floor(at / 60) * 60;
    let stat = s.minutes.get(minute);
    if (!stat) {
      stat = { minute, sum: 0, count: 0, min: Infinity, max: -Infinity };
      s.minutes.set(minute, stat);
      if (s.minutes.size > KEEP_MINUTES) s.minutes.delete(s.minutes.keys().next().value!);
    }
    stat.sum += value;
    stat.count++;
    if (value < stat.min) stat.min = value;
    if (value > stat.max) stat.max = value;
  }

  /** Published minutes of one series with `start ≤ minute < end` (scenario seconds), oldest first. */
  published(namespace: string, name: string, dimensions: Dimensions, start: number, end: number): MinuteStat[] {
    const s = this.series.get(seriesKey(namespace, name, dimensions));
    if (!s) return [];
    const now = this.clock.now();
    const out: MinuteStat[] = [];
    for (const stat of s.minutes.values()) {
      if (stat.minute < start || stat.minute >= end) continue;
      if (publicationTime(stat.minute, this.publishDelaySeconds) > now) continue;
      out.push(stat);
    }
    return out.sort((a, b) => a.minute - b.minute);
  }

  unitOf(namespace: string, name: string, dimensions: Dimensions): string | undefined {
    return this.series.get(seriesKey(namespace, name, dimensions))?.info.unit;
  }

  /**
   * Every recorded minute of one metric, summed over all its dimension sets (min of mins, max of maxes), published or
   * not, oldest first: what a run's report reads after the run (loadgen/target-summary.ts), never what a policy sees.
   */
  allMinutes(namespace: string, name: string): MinuteStat[] {
    const out = new Map<number, MinuteStat>();
    for (const s of this.series.values()) {
      if (s.info.namespace !== namespace || s.info.name !== name) continue;
      for (const m of s.minutes.values()) {
        const o = out.get(m.minute);
        if (!o) out.set(m.minute, { ...m });
        else {
          o.sum += m.sum;
          o.count += m.count;
          o.min = Math.min(o.min, m.min);
          o.max = Math.max(o.max, m.max);
        }
      }
    }
    return [...out.values()].sort((a, b) => a.minute - b.minute);
  }

  list(): SeriesInfo[] {
    return [...this.series.values()].map((s) => s.info);
  }
}

/** Statistic names as CloudWatch spells them. */
export type Statistic = 'Sum' | 'SampleCount' | 'Average' | 'Minimum' | 'Maximum';

/** Aggregates minutes into periods of `period` seconds aligned to multiples of the period, oldest first. */
export function aggregate(minutes: readonly MinuteStat[], period: number): MinuteStat[] {
  const byStart = new Map<number, MinuteStat>();
  for (const m of minutes) {
    const start = Math.floor(m.minute / period) * period;
    const agg = byStart.get(start);
    if (!agg) byStart.set(start, { minute: start, sum: m.sum, count: m.count, min: m.min, max: m.max });
    else {
      agg.sum += m.sum;
      agg.count += m.count;
      agg.min = Math.min(agg.min, m.min);
      agg.max = Math.max(agg.max, m.max);
    }
  }
  return [...byStart.values()].sort((a, b) => a.minute - b.minute);
}

export function statistic(stat: MinuteStat, name: string): number | undefined {
  switch (name) {
    case 'Sum':
      return stat.sum;
    case 'SampleCount':
      return stat.count;
    case 'Average':
      return stat.count > 0 ? stat.sum / stat.count : 0;
    case 'Minimum':
      return stat.min;
    case 'Maximum':
      return stat.max;
    default:
      return undefined;
  }
}
