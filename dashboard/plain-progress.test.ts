import { expect, test } from 'vitest';
import { plainProgress } from './plain-progress.ts';

test('a line per tenth of the run and one per scaling action', () => {
  const lines: string[] = [];
  const p = plainProgress((l) => lines.push(l));
  const base = { durationSeconds: 1000, draining: false, shards: 4, offered: 1000, accepted: 990, throttled: 5, actions: [] };
  p.update({ ...base, now: 50 });
  p.update({ ...base, now: 90 });
  p.update({ ...base, now: 120, actions: [{ atSeconds: 110, service: 'kinesis', resource: 'ingest', from: 4, to: 8, reason: 'above 75%' }] });
  expect(lines).toEqual([
    '  5% 50s/16m40s · 4 shards · 1,000 offered · 990 accepted · 5 throttled',
    '  scaling at 1m50s: kinesis ingest 4 → 8 — above 75%',
    ' 12% 2m/16m40s · 4 shards · 1,000 offered · 990 accepted · 5 throttled',
  ]);
});
