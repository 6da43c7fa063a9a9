/**
 * Kinesis emulators side by side (issue 10: "measure both"): 20,000 records of 200 B in PutRecords calls of 500 through
 * the SDK, against kinesalite alone, kinesalite behind the embedded edge, and kinesis-local.
 * Run: `npx tsx pipeline/targets/compare-kinesis-emulators.ts`
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import kinesalite from 'kinesalite';
import { measureKinesisPutRate, type KinesisRate } from './kinesis-rate.ts';
import { startKinesisLocal } from './kinesis-local.ts';
import { startEmbedded } from './embedded.ts';

const line = (name: string, r: KinesisRate) =>
  `${name.padEnd(34)} ${r.records} records in ${r.seconds.toFixed(2)} s = ${Math.round(r.recordsPerSecond).toLocaleString('en-US')} records/s (${r.failedRecords} failed)`;

const k = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, shardLimit: 10_000 }) as Server;
await new Promise<void>((resolve) => k.listen(0, '127.0.0.1', () => resolve()));
const kinesaliteUrl = `http://127.0.0.1:${(k.address() as AddressInfo).port}`;
// One unprinted round first: the first calls pay for JIT warm-up of the SDK and the emulator.
await measureKinesisPutRate(kinesaliteUrl, { records: 5_000 });
console.log(line('kinesalite, 1 call at a time', await measureKinesisPutRate(kinesaliteUrl)));
console.log(line('kinesalite, 4 calls at a time', await measureKinesisPutRate(kinesaliteUrl, { concurrency: 4 })));
await new Promise<void>((resolve) => k.close(() => resolve()));

const embedded = await startEmbedded();
console.log(line('kinesalite behind the edge, 1 call', await measureKinesisPutRate(embedded.endpoint)));
await embedded.stop();

const started = Date.now();
const local = await startKinesisLocal();
console.log(`kinesis-local answered /healthcheck after ${Date.now() - started} ms`);
try {
  console.log(line('kinesis-local, 1 call at a time', await measureKinesisPutRate(local.url)));
} finally {
  await local.stop();
}
