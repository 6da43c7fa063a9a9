// Traffic from traces: a file of per-period sums replays to the same total, scaled or not; CloudWatch JSON reads the
// same; every problem points at the trace file's line (or the scenario's line when the file cannot be read).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolvedScenarioYaml } from '../cli/saved-scenario.ts';
import { ScenarioError } from '../sim/errors.ts';
import { simulate } from '../sim/simulation.ts';
import { seriesEvents } from '../sim/traffic.ts';
import { loadScenario } from './load.ts';
import { exampleTraceCsv } from './make-example-trace.ts';
import { parseTrace, seriesTotal, TraceError } from './trace.ts';

/** 30 minutes whose sums are 1,000, 2,000, …, 30,000: 1,000 × (1 + … + 30) = 465,000 events. */
const SUMS = Array.from({ length: 30 }, (_, k) => 1_000 * (k + 1));
const CSV = ['Timestamp,IncomingRecords,IncomingBytes', ...SUMS.map((v, k) => `2024-11-29T10:${String(k).padStart(2, '0')}:00Z,${v},${v * 500}`)].join('\n') + '\n';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ingestlab-trace-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const scenario = (trace: string, extra = '') => `
name: trace-test
duration: 30m
resolution: 9s
tenants:
  - name: t
    count: 7
    ${trace}
    ${extra}
kinesis: { shards: 64 }
dynamodb: { writeCapacity: 40000 }
`;

async function offered(dir: string, file = 'scenario.yaml', overrides: Record<string, unknown> = {}): Promise<number> {
  const { scenario: s, resolvePolicy } = await loadScenario(join(dir, file), overrides);
  return simulate(s, { resolvePolicy, maxDrainSeconds: 0 }).summary.events.offered;
}

describe('a trace of per-minute sums', () => {
  // 9 s ticks straddle the minute boundaries (60 is not a multiple of 9), so the replay must split ticks between minutes.
  const dir = folder({ 'traces/day.csv': CSV, 'scenario.yaml': scenario('trace: { file: traces/day.csv, column: IncomingRecords }', 'noise: none') });

  it('replays 465,000 events, the sum of the file (exactly, without noise)', async () => {
    expect(Math.abs((await offered(dir)) - 465_000)).toBeLessThanOrEqual(1);
  });

  it('with trace scale 1.5 replays 697,500, and with --set traffic.scale=2 on top 1,395,000', async () => {
    const scaled = folder({ 'traces/day.csv': CSV, 'scenario.yaml': scenario('trace: { file: traces/day.csv, scale: 1.5 }', 'noise: none') });
    expect(Math.abs((await offered(scaled)) - 697_500)).toBeLessThanOrEqual(1);
    expect(Math.abs((await offered(scaled, 'scenario.yaml', { 'traffic.scale': 2 })) - 1_395_000)).toBeLessThanOrEqual(1);
  });

  it('with Poisson noise stays within 1% of 465,000 (and of 930,000 at traffic.scale=2)', async () => {
    const noisy = folder({ 'traces/day.csv': CSV, 'scenario.yaml': scenario('trace: { file: traces/day.csv }') });
    expect(Math.abs((await offered(noisy)) / 465_000 - 1)).toBeLessThan(0.01);
    expect(Math.abs((await offered(noisy, 'scenario.yaml', { 'traffic.scale': 2 })) / 930_000 - 1)).toBeLessThan(0.01);
  });

  it('is read from the scenario file\'s folder, not the working directory', async () => {
    const { scenario: s } = await loadScenario(join(dir, 'scenario.yaml'));
    expect(s.tenants[0]!.trace!.series!.eventsPerSecond.slice(0, 3)).toEqual([1_000 / 60, 2_000 / 60, 3_000 / 60]);
  });

  it('a run\'s scenario.resolved.yaml, saved in another folder, still finds the trace', async () => {
    const saved = folder({ 'scenario.resolved.yaml': resolvedScenarioYaml(join(dir, 'scenario.yaml'), {}, 'test') });
    expect(Math.abs((await offered(saved, 'scenario.resolved.yaml')) - 465_000)).toBeLessThanOrEqual(1);
  });

  it('integrates a tick across a minute boundary: [55 s, 64 s) = 5 s × 1,000/60 + 4 s × 2,000/60 = 216.67 events', () => {
    const series = parseTrace(CSV);
    expect(seriesEvents(series, 55, 64)).toBeCloseTo((5 * 1_000 + 4 * 2_000) / 60, 9);
  });
});

describe('aws cloudwatch get-metric-data JSON', () => {
  // Newest first, as the CLI prints it; 10:02 is missing (a minute without data): 600 + 0 + 1,200 + 1,800 events.
  const JSON_TRACE = `{
    "MetricDataResults": [
        {
            "Id": "m1",
            "Label": "IncomingRecords",
            "Timestamps": ["2024-11-29T10:04:00+00:00", "2024-11-29T10:03:00+00:00", "2024-11-29T10:01:00+00:00", "2024-11-29T10:00:00+00:00"],
            "Values": [1800.0, 1200.0, 0.0, 600.0],
            "StatusCode": "Complete"
        }
    ],
    "Messages": []
}`;

  it('sorts the timestamps, fills the missing minute with 0 and divides sums by 60 s: 10, 0, 0, 20, 30 events/s', () => {
    expect(parseTrace(JSON_TRACE)).toEqual({ periodSeconds: 60, eventsPerSecond: [10, 0, 0, 20, 30] });
  });

  it('picks a result by Label or Id, and names the ones there are when none matches', () => {
    expect(parseTrace(JSON_TRACE, { column: 'IncomingRecords' }).eventsPerSecond[0]).toBe(10);
    expect(() => parseTrace(JSON_TRACE, { column: 'IncomingBytes' })).toThrow(/no result with Id or Label "IncomingBytes"; the results are m1 \(IncomingRecords\)/);
  });

  it('points at the line of a bad value (line 7)', () => {
    const bad = JSON_TRACE.replace('1200.0', '"n/a"');
    try {
      parseTrace(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TraceError);
      expect((error as TraceError).line).toBe(7);
      expect((error as TraceError).message).toMatch(/expected a number ≥ 0/);
    }
  });
});

describe('aws cloudwatch get-metric-statistics JSON', () => {
  it('reads Datapoints of { Timestamp, Sum } in any order: sums 300, 900 over 60 s → 5 and 15 events/s', () => {
    const text = `{
    "Label": "IncomingRecords",
    "Datapoints": [
        { "Timestamp": "2024-11-29T10:01:00+00:00", "Sum": 900.0, "Unit": "Count" },
        { "Timestamp": "2024-11-29T10:00:00+00:00", "Sum": 300.0, "Unit": "Count" }
    ]
}`;
    expect(parseTrace(text)).toEqual({ periodSeconds: 60, eventsPerSecond: [5, 15] });
    expect(() => parseTrace(text, { column: 'Average' })).toThrow(/expected Average: a number ≥ 0 \(ask for --statistics Average\)/);
  });
});

describe('a trace with startAt and a burst', () => {
  it('10 minutes of 600 events starting at 1m, the burst ×2 over 3m–5m doubles the trace\'s minutes 2 and 3: 6,000 + 1,200 = 7,200', async () => {
    const csv = ['ts,n', ...Array.from({ length: 10 }, (_, k) => `${k * 60},600`)].join('\n');
    const dir = folder({
      't.csv': csv,
      'scenario.yaml': scenario('trace: { file: t.csv }', 'noise: none\n    startAt: 1m\n    bursts: [{ at: 3m, duration: 2m, multiplier: 2 }]').replace('duration: 30m', 'duration: 11m').replace('resolution: 9s', 'resolution: 5s'),
    });
    expect(Math.abs((await offered(dir)) - 7_200)).toBeLessThanOrEqual(1);
  });
});

describe('the bundled example trace', () => {
  it('is exactly what scenarios/make-example-trace.ts writes, 1,440 minutes summing to 162,070,937 events', () => {
    const file = fileURLToPath(new URL('./traces/example-day.csv', import.meta.url));
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(exampleTraceCsv());
    const series = parseTrace(text);
    expect(series.eventsPerSecond).toHaveLength(1_440);
    expect(Math.round(seriesTotal(series))).toBe(162_070_937);
  });
});

describe('trace errors', () => {
  const problemsOf = async (files: Record<string, string>) => {
    const dir = folder(files);
    try {
      await loadScenario(join(dir, 'scenario.yaml'));
    } catch (error) {
      if (error instanceof ScenarioError) return error.problems.map((p) => `${p.file.slice(dir.length + 1)}:${p.line}:${p.column} ${p.message}`);
      throw error;
    }
    return [];
  };

  it('a value that is not a number: the trace file, its line 4 and column of the cell', async () => {
    const csv = CSV.replace('3000,', 'three,');
    expect(await problemsOf({ 't.csv': csv, 'scenario.yaml': scenario('trace: { file: t.csv }') })).toEqual(['t.csv:4:22 expected a number ≥ 0 (the IncomingRecords sum for the period), got "three"']);
  });

  it('a missing file: the scenario line of trace.file (line 8)', async () => {
    const [problem] = await problemsOf({ 'scenario.yaml': scenario('trace: { file: nope.csv }') });
    expect(problem).toMatch(/^scenario\.yaml:8:\d+ cannot read trace nope\.csv .*: no such file$/);
  });

  it('a column the file does not have: the header line, listing the columns', async () => {
    expect(await problemsOf({ 't.csv': CSV, 'scenario.yaml': scenario('trace: { file: t.csv, column: Records }') })).toEqual(['t.csv:1:1 no column "Records"; the value columns are "IncomingRecords", "IncomingBytes"']);
  });

  const errorOf = (text: string) => {
    try {
      parseTrace(text);
    } catch (error) {
      if (error instanceof TraceError) return `${error.line}: ${error.message}`;
      throw error;
    }
    return 'no error';
  };

  it('uneven timestamps (steps of 60, 30 and 75 s: period 30 s, and 02:45 is 5.5 periods in) point at line 5', () => {
    expect(errorOf('ts,v\n2024-01-01T00:00:00Z,1\n2024-01-01T00:01:00Z,1\n2024-01-01T00:01:30Z,1\n2024-01-01T00:02:45Z,1\n')).toMatch(/^5: timestamp is not a whole number of periods \(30 s/);
  });

  it('timestamps going backwards in a CSV point at the later line (3)', () => {
    expect(errorOf('ts,v\n2024-01-01T00:01:00Z,1\n2024-01-01T00:00:00Z,1\n')).toMatch(/^3: timestamps must increase/);
  });

  it('trace together with rate is refused', async () => {
    const [problem] = await problemsOf({ 't.csv': CSV, 'scenario.yaml': scenario('trace: { file: t.csv }', 'rate: 5') });
    expect(problem).toMatch(/`trace` gives the rate, so the group cannot also have `rate` or `stages`/);
  });
});
