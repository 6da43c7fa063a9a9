/**
 * Writes scenarios/traces/example-day.csv: a SYNTHETIC day of Kinesis IncomingRecords and IncomingBytes sums per
 * minute, shaped like a retail day (quiet at 04:00 UTC, busiest mid-afternoon, a 30-minute flash sale at 20:00),
 * with 5% noise per minute from a fixed seed. No customer data: every number comes from the formula below.
 *
 *   npx tsx scenarios/make-example-trace.ts            (writes the file; the same bytes every time)
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRandom } from '../sim/engine/random.ts';

/** Events/s at minute `m` of the day: 600/s at 04:00 rising to 3,000/s at 16:00, ×2.5 during 20:00–20:30. */
export function exampleRate(m: number): number {
  const h = m / 60;
  const daily = 600 + 2400 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (h - 4)) / 24));
  // The sale ramps up over two minutes and stops at 20:30.
  const sale = m >= 1200 && m < 1230 ? 1 + 1.5 * Math.min(1, (m - 1200 + 1) / 2) : 1;
  return daily * sale;
}

export function exampleTraceCsv(): string {
  const random = createRandom('example-day');
  const lines = [
    '# SYNTHETIC example trace made by scenarios/make-example-trace.ts (not real traffic): one day of a Kinesis stream,',
    '# IncomingRecords and IncomingBytes summed per minute, as CloudWatch reports them with --period 60 --stat Sum.',
    'Timestamp,IncomingRecords,IncomingBytes',
  ];
  const start = Date.UTC(2024, 10, 29);
  for (let m = 0; m < 1440; m++) {
    const records = Math.max(0, Math.round(exampleRate(m) * 60 * (1 + 0.05 * random.normal())));
    const bytes = Math.round(records * (512 + 40 * random.normal()));
    lines.push(`${new Date(start + m * 60_000).toISOString().replace('.000Z', 'Z')},${records},${bytes}`);
  }
  return lines.join('\n') + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = fileURLToPath(new URL('./traces/example-day.csv', import.meta.url));
  writeFileSync(out, exampleTraceCsv());
  process.stdout.write(`wrote ${out}\n`);
}
