/**
 * The quota gateway's cost (issue 11): kinesalite's PutRecords rate measured side by side in one run, three ways, in
 * rounds that rotate their order, keeping each way's best round (the least disturbed by other processes on a shared
 * machine): straight to the emulator, through the edge, and
 * through the edge with the quota gateway (hashing every record to its shard, meeting its per-second bucket,
 * publishing metrics). The stream has enough shards that nothing is throttled: the figure is the gateway's overhead.
 */
import { kinesisConfigSchema } from '../sim/kinesis.ts';
import { createKinesisQuota } from '../pipeline/gateway/kinesis-quota.ts';
import { MetricsStore } from '../pipeline/gateway/metrics-store.ts';
import { createScaledClock } from '../pipeline/gateway/scenario-clock.ts';
import { startEmbedded } from '../pipeline/targets/embedded.ts';
import { measureKinesisPutRate } from '../pipeline/targets/kinesis-rate.ts';

export interface GatewayBenchResult {
  records: number;
  rounds: number;
  /** Best round's records/s of each way. */
  raw: number;
  edge: number;
  gateway: number;
  throttled: number;
}

export async function measureGatewayCost(options: { records: number; rounds: number }): Promise<GatewayBenchResult> {
  const clock = createScaledClock();
  const quota = createKinesisQuota({ config: kinesisConfigSchema.parse({}), clock, weight: 1, metrics: new MetricsStore(clock, 120) });
  const plain = await startEmbedded();
  const gated = await startEmbedded({ middleware: [quota.middleware] });
  try {
    // 16 shards: 16,000 records/s of capacity, above what kinesalite takes on this machine, so nothing is throttled.
    const put = (endpoint: string) => measureKinesisPutRate(endpoint, { records: options.records, recordBytes: 200, batchSize: 500, concurrency: 2, shards: 16 });
    const raw: number[] = [];
    const edge: number[] = [];
    const gateway: number[] = [];
    let throttled = 0;
    const ways = [
      { to: plain.emulators.kinesis, rates: raw },
      { to: plain.endpoint, rates: edge },
      { to: gated.endpoint, rates: gateway },
    ];
    for (let round = 0; round < options.rounds; round++) {
      for (let k = 0; k < ways.length; k++) {
        const way = ways[(round + k) % ways.length]!;
        const r = await put(way.to);
        way.rates.push(r.recordsPerSecond);
        if (way.rates === gateway) throttled += r.failedRecords;
      }
    }
    return { records: options.records, rounds: options.rounds, raw: Math.max(...raw), edge: Math.max(...edge), gateway: Math.max(...gateway), throttled };
  } finally {
    await gated.stop();
    await plain.stop();
  }
}

export async function runGatewayBench(options: { quick?: boolean }): Promise<void> {
  const records = 10_000;
  const rounds = options.quick ? 3 : 7;
  console.log('');
  console.log(`quota gateway cost: kinesalite PutRecords, ${records.toLocaleString('en-US')} records of 200 B in calls of 500, 2 at a time, best of ${rounds} rotating rounds`);
  const r = await measureGatewayCost({ records, rounds });
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(8);
  const cost = (r.raw - r.gateway) / r.raw;
  console.log(`  straight to kinesalite     ${fmt(r.raw)} records/s`);
  console.log(`  through the edge           ${fmt(r.edge)} records/s   ${signed((r.edge - r.raw) / r.raw)} vs raw`);
  console.log(`  edge + quota gateway       ${fmt(r.gateway)} records/s   ${signed(-cost)} vs raw (edge and gateway together)`);
  const own = (r.edge - r.gateway) / r.raw;
  console.log(`  the gateway's own cost     ${pct(own).padStart(8)} of the raw rate (edge − edge+gateway)   goal < 15%  ${own < 0.15 ? 'met' : 'NOT met'}${cost < 0.15 ? '' : '; edge and gateway together cost more than 15%'}`);
  if (r.throttled > 0) console.log(`  WARNING: ${r.throttled} records throttled; the measurement includes refusals`);
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%`;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
