/**
 * Kinesis emulators side by side (issue 10: "measure both"): 20,000 records of 200 B in PutRecords calls of 500 through
 * the SDK, against kinesalite alone (one call at a time, and four), kinesalite behind the embedded edge, and
 * kinesis-local. kinesalite's rounds are interleaved so a busy machine slows each alike; the mean of the rounds is last.
 * Run: `npx tsx pipeline/targets/compare-kinesis-emulators.ts [--rounds 3] [--skip-kinesis-local]`
 */
import { parseArgs } from 'node:util';
import { measureKinesisPutRate, type KinesisRate } from './kinesis-rate.ts';
import { startKinesisLocal } from './kinesis-local.ts';
import { startEmbedded } from './embedded.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, 'skip-kinesis-local': { type: 'boolean', default: false } } });
const rounds = Number(values.rounds);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const line = (name: string, r: KinesisRate) => `${name.padEnd(36)} ${r.records} records in ${r.seconds.toFixed(2)} s = ${fmt(r.recordsPerSecond)} records/s (${r.failedRecords} failed)`;

const embedded = await startEmbedded();
const cases: Array<[string, () => Promise<KinesisRate>]> = [
  ['kinesalite, 1 call at a time', () => measureKinesisPutRate(embedded.emulators.kinesis)],
  ['kinesalite, 4 calls at a time', () => measureKinesisPutRate(embedded.emulators.kinesis, { concurrency: 4 })],
  ['kinesalite behind the edge, 1 call', () => measureKinesisPutRate(embedded.endpoint)],
];
// One unprinted round first: the first calls pay for JIT warm-up of the SDK, the edge and the emulator.
for (const [, run] of cases) await run();
const rates = cases.map((): number[] => []);
for (let round = 1; round <= rounds; round++) {
  for (const [i, [name, run]] of cases.entries()) {
    const r = await run();
    rates[i]!.push(r.recordsPerSecond);
    console.log(`round ${round}: ${line(name, r)}`);
  }
}
for (const [i, [name]] of cases.entries()) {
  const mean = rates[i]!.reduce((a, b) => a + b, 0) / rates[i]!.length;
  console.log(`mean of ${rounds}: ${name.padEnd(36)} ${fmt(mean)} records/s`);
}
await embedded.stop();

if (!values['skip-kinesis-local']) {
  const started = Date.now();
  const local = await startKinesisLocal();
  console.log(`kinesis-local answered /healthcheck after ${Date.now() - started} ms`);
  try {
    console.log(line('kinesis-local, 1 call at a time', await measureKinesisPutRate(local.url)));
  } finally {
    await local.stop();
  }
}
