/**
 * The load generator part of `npm run bench` (issue #12): 2,000 requests/s for 10 s (3 s with --quick) from 20
 * tenants of 100 events/s each (one 512-byte event per request, no noise, so the target is exactly 2,000 per second)
 * into a fastify sink on 127.0.0.1 that answers 202. The sink runs on a worker thread, so it does not share the load
 * generator's event loop. Both sides are warmed up for 2 s first (JIT, connections), then the measured run prints the
 * target and achieved rates and their ratio (goal: within 2%), the worst second, the send lag and the latency.
 */
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { parseScenario } from '../scenarios/load.ts';
import { runLoad } from '../loadgen/driver.ts';
import { loadReport } from '../loadgen/result.ts';
import { scenarioTenantIds } from '../loadgen/schedule.ts';

const RATE = 2_000;
const TENANTS = 20;
const GOAL_RATIO = 0.98;

/** A 202 sink on a worker thread; resolves with its URL and a stop function. */
async function startSink(): Promise<{ url: string; stop: () => Promise<void> }> {
  const fastify = import.meta.resolve('fastify');
  const source = `
const { parentPort } = require('node:worker_threads');
import(${JSON.stringify(fastify)}).then(async ({ default: Fastify }) => {
  const app = Fastify({ keepAliveTimeout: 60000 });
  app.post('/v1/tenants/:tenant/events', async (req, reply) => reply.code(202).send({ accepted: 1, ids: [] }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  parentPort.postMessage(app.server.address().port);
  parentPort.on('message', async () => { await app.close(); parentPort.postMessage('closed'); });
});`;
  const worker = new Worker(source, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      const closed = new Promise((r) => worker.once('message', r));
      worker.postMessage('close');
      await closed;
      await worker.terminate();
    },
  };
}

function benchScenario(seconds: number) {
  return parseScenario(
    `name: loadgen-bench\nseed: 1\nduration: ${seconds}s\ntenants:\n  - { name: t, count: ${TENANTS}, rate: ${RATE / TENANTS}, noise: none, eventBytes: 512 }\n`,
    'bench:loadgen',
  );
}

export async function runLoadgenBench(options: { quick?: boolean }): Promise<void> {
  const seconds = options.quick ? 3 : 10;
  const sink = await startSink();
  try {
    console.log('');
    console.log(`load generator: ${RATE.toLocaleString('en-US')} requests/s for ${seconds} s into a fastify sink on 127.0.0.1 (worker thread), after a 2 s warm-up`);
    const run = async (duration: number) => {
      const scenario = benchScenario(duration);
      const ids = scenarioTenantIds(scenario);
      const credentials = ids.map((id) => ({ tenantId: id, apiKey: `bench-${id}` }));
      const cpu = process.cpuUsage();
      const report = loadReport(await runLoad({ url: sink.url, scenario, credentials }));
      const used = process.cpuUsage(cpu);
      return { report, cpuSeconds: (used.user + used.system) / 1e6 };
    };
    await run(2);
    const { report: r, cpuSeconds } = await run(seconds);
    const perSecond = r.sentPerSecond.map((n, i) => n / (r.scheduledPerSecond[i] || 1));
    const worst = Math.min(...perSecond);
    const worstAt = perSecond.indexOf(worst);
    const ok = r.rateRatio >= GOAL_RATIO && r.rateRatio <= 2 - GOAL_RATIO;
    const int = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
    console.log(`  target ${int(r.targetRate)} req/s · achieved ${int(r.achievedRate)} req/s · ratio ${r.rateRatio.toFixed(4)} (goal: within 2%: ${ok ? 'met' : 'MISSED'})`);
    console.log(
      `  worst second ${worst.toFixed(3)} of its target (second ${worstAt}) · send lag p50 ${r.sendLagMs.p50} ms, p99 ${r.sendLagMs.p99}, max ${r.sendLagMs.max}` +
        ` · latency from intended send p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99}`,
    );
    console.log(
      `  sent ${int(r.sent.requests)} of ${int(r.scheduled.requests)} · answers ${Object.entries(r.statuses).map(([code, n]) => `${code} ${int(n)}`).join(', ')}` +
        ` · ${r.connections} connections · load generator thread CPU ${cpuSeconds.toFixed(1)} s · load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`,
    );
  } finally {
    await sink.stop();
  }
}
