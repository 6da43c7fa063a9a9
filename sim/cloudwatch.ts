/**
 * CloudWatch as the policies see it: 1-minute Sum datapoints per series, visible only `publishDelay` after their
 * minute ends. The delay is not documented (§1.5, §8.12): a parameter, 2 minutes by default.
 */
import { z } from 'zod';
import { duration } from './duration.ts';
import type { Datapoint, MetricName } from './policies/policy.ts';

export const cloudwatchConfigSchema = z.strictObject({
  /** How long after a minute ends its datapoint becomes visible. UNCONFIRMED (§1.5: "about 1–3 min" in practice). */
  publishDelay: duration().default(120),
});
export type CloudwatchConfig = z.output<typeof cloudwatchConfigSchema>;

/** When the datapoint of the minute that starts at `minuteStart` becomes visible: after the minute ends and the delay. */
export function publicationTime(minuteStart: number, publishDelaySeconds: number): number {
  return minuteStart + 60 + publishDelaySeconds;
}

/** How many published minutes a series keeps; policies look back at most an hour. */
const KEEP_MINUTES = 180;

class Series {
  current = 0;
  readonly published: Datapoint[] = [];
  readonly pending: { minute: number; sum: number; visibleAt: number }[] = [];
}

export class CloudWatch {
  private readonly series = new Map<string, Series>();

  constructor(private readonly publishDelaySeconds: number) {}

  /** A handle for adding to one series every tick without a map lookup. */
  handle(namespace: string, name: MetricName): { add(value: number): void } {
    const series = this.get(namespace, name);
    return {
      add(value: number) {
        series.current += value;
      },
    };
  }

  /** Ends the minute that started at `minuteStart`: its Sum becomes visible after the publication delay. */
  closeMinute(minuteStart: number): void {
    const visibleAt = publicationTime(minuteStart, this.publishDelaySeconds);
    for (const s of this.series.values()) {
      s.pending.push({ minute: minuteStart, sum: s.current, visibleAt });
      s.current = 0;
    }
  }

  /** Makes visible every datapoint whose publication time has come. */
  publish(now: number): void {
    for (const s of this.series.values()) {
      while (s.pending.length > 0 && s.pending[0]!.visibleAt <= now) {
        const { minute, sum } = s.pending.shift()!;
        s.published.push({ minute, sum });
        if (s.published.length > KEEP_MINUTES) s.published.shift();
      }
    }
  }

  /** Published datapoints of the named series, oldest first. */
  view(namespace: string, names: readonly MetricName[]): Partial<Record<MetricName, readonly Datapoint[]>> {
    const out: Partial<Record<MetricName, readonly Datapoint[]>> = {};
    for (const name of names) out[name] = [...this.get(namespace, name).published];
    return out;
  }

  private get(namespace: string, name: MetricName): Series {
    const key = `${namespace}\u0000${name}`;
    let s = this.series.get(key);
    if (!s) {
      s = new Series();
      this.series.set(key, s);
    }
    return s;
  }
}
