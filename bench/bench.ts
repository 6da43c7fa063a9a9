/**
 * `npm run bench`: how fast the simulator sweeps long, wide scenarios with every model on. Prints simulated seconds
 * per wall second and the ratio to the goals set in issue #2 (24 h of 1,000 tenants in under 5 s; 7 days of
 * 10,000 tenants in under 60 s, both at 1 s resolution, on a 2-core machine).
 */
import { parseScenario } from '../scenarios/load.ts';
import { simulate } from '../sim/simulation.ts';

interface Case {
  name: string;
  tenants: number;
  duration: string;
  goalSeconds: number;
}

const CASES: Case[] = [
  { name: '24 h × 1,000 tenants', tenants: 1_000, duration: '24h', goalSeconds: 5 },
  { name: '7 d × 10,000 tenants', tenants: 10_000, duration: '7d', goalSeconds: 60 },
];

/**
 * A realistic mix: most tenants steady, a tenth ramping up and down daily, a few bursting hourly, tenant-keyed
 * partitions (so the per-tenant hash mapping is exercised), and every autoscaler on.
 */
function benchScenario(c: Case, durationOverride?: string): string {
  const steady = Math.round(c.tenants * 0.85);
  const diurnal = Math.round(c.tenants * 0.1);
  const bursty = c.tenants - steady - diurnal;
  const shards = Math.max(4, Math.ceil((c.tenants * 1.5) / 1000));
  const hours = (c.duration.endsWith('d') ? Number(c.duration.slice(0, -1)) * 24 : Number(c.duration.slice(0, -1)));
  const bursts = Array.from({ length: Math.min(hours, 200) }, (_, h) => `      - { at: ${h}h, duration: 5m, multiplier: 4 }`).join('\n');
  return `
name: bench
seed: 7
duration: ${durationOverride ?? c.duration}
resolution: 1s
tenants:
  - { name: steady, count: ${steady}, rate: 1, eventBytes: { dist: lognormal, mean: 700, sd: 300 }, batchSize: 10 }
  - name: diurnal
    count: ${diurnal}
    rate: 1
    stages: [{ duration: 6h, target: 4 }, { duration: 6h, target: 1 }, { duration: 6h, target: 3 }, { duration: 6h, target: 1 }]
    batchSize: 5
  - name: bursty
    count: ${bursty}
    rate: 2
    batchSize: 20
    bursts:
${bursts}
apiGateway: { tenantLimit: 50 }
kinesis:
  shards: ${shards}
  partitionKey: tenant
  autoscaler:
    policy: kinesis-scaling-utils
    checkInterval: 60s
    minShards: ${shards}
    maxShards: ${shards * 8}
    scaleUp: { scaleThresholdPct: 75, scaleAfterMins: 2, scalePct: 200, coolOffMins: 5 }
    scaleDown: { scaleThresholdPct: 25, scaleAfterMins: 15, scalePct: 50, coolOffMins: 60 }
dynamodb:
  writeCapacity: ${c.tenants * 2}
  autoscaling: { policy: target-tracking, targetUtilization: 70, min: 100, max: 40000 }
firehose: { bufferSeconds: 60s }
`;
}

export async function runBench(options: { quick?: boolean }): Promise<number> {
  console.log(`ingestlab bench — node ${process.version}, ${new Date().toISOString().slice(0, 10)}${options.quick ? ' (quick: a tenth of each duration)' : ''}`);
  console.log('case                      simulated   wall      sim s / wall s   goal    wall/goal');
  for (const c of CASES) {
    const text = benchScenario(c);
    const scenario = parseScenario(text, `bench:${c.name}`, options.quick ? { duration: shorten(c.duration) } : {});
    const t0 = performance.now();
    const { summary } = simulate(scenario, { maxDrainSeconds: 0 });
    const wall = (performance.now() - t0) / 1000;
    const rate = scenario.duration / wall;
    const goal = options.quick ? c.goalSeconds / 10 : c.goalSeconds;
    console.log(
      `${c.name.padEnd(26)}${String(scenario.duration).padStart(9)} s ${wall.toFixed(2).padStart(7)} s ${Math.round(rate).toLocaleString('en-US').padStart(14)}   ${String(goal).padStart(4)} s  ${(wall / goal).toFixed(2).padStart(8)}`,
    );
    console.log(
      `${''.padEnd(26)}offered ${summary.events.offered.toLocaleString('en-US')} events, ${summary.kinesis.shardsMax} shards max, ${summary.scaling.actions.length} scaling actions`,
    );
  }
  const { runPlanBench } = await import('./plan-bench.ts');
  await runPlanBench(options);
  const { runLoadgenBench } = await import('./loadgen-bench.ts');
  await runLoadgenBench(options);
  const { runPipelineBench } = await import('./pipeline-bench.ts');
  await runPipelineBench(options);
  const { runGatewayBench } = await import('./gateway-bench.ts');
  await runGatewayBench(options);
  return 0;
}

function shorten(duration: string): string {
  const n = Number(duration.slice(0, -1));
  const unit = duration.slice(-1);
  return unit === 'd' ? `${(n * 24) / 10}h` : `${(n * 60) / 10}m`;
}
