/**
 * The real pipeline's bench (issue 10): events/s accepted end to end on the embedded target — posted to the ingest
 * API in concurrent multi-puts, put to Kinesis, read by the processor, stored in DynamoDB and delivered to S3 by our
 * Firehose, then audited — next to the raw PutRecords rate of the Kinesis emulator alone, measured in the same run.
 * The edge and API share the main thread; each emulator and the processor run in a worker thread of their own.
 */
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { auditPipeline } from '../pipeline/audit/audit-pipeline.ts';
import { startPipeline } from '../pipeline/run-pipeline.ts';
import { measureKinesisPutRate } from '../pipeline/targets/kinesis-rate.ts';
import { scenarioSchema } from '../scenarios/schema.ts';

export interface PipelineBenchResult {
  events: number;
  perRequest: number;
  concurrency: number;
  /** Events/s the API acknowledged (first request sent → last 202). */
  acceptedPerSecond: number;
  /** Events/s through the whole pipeline (first request sent → last event stored and delivered to S3). */
  endToEndPerSecond: number;
  /** Accepted → stored, per event (the processor's HDR percentiles), ms. */
  latencyMs: { p50: number; p99: number };
  /** kinesalite's own PutRecords rate, straight to the emulator, in the same run. */
  kinesisRawPerSecond: number;
  ok: boolean;
  problems: string[];
  statuses: Record<number, number>;
}

export async function measurePipeline(options: {
  events: number;
  perRequest?: number;
  concurrency?: number;
  shards?: number;
  /** Run the processor in a worker thread (default), so it has an event loop (and a core, if free) of its own. */
  processorThread?: boolean;
}): Promise<PipelineBenchResult> {
  const perRequest = options.perRequest ?? 250;
  const concurrency = options.concurrency ?? 8;
  const tenants = 8;
  const scenario = scenarioSchema.parse({
    name: 'pipeline-bench',
    duration: '1m',
    tenants: [{ name: 'tenant', count: tenants, rate: 1000, batchSize: perRequest }],
    kinesis: { shards: options.shards ?? 4, partitionKey: 'tenant-timestamp' },
    lambda: { batchSize: 500, parallelizationFactor: 1 },
    dynamodb: { mode: 'on-demand' },
    firehose: { bufferSeconds: '1s', bufferMb: 5 },
  });
  const inThread = options.processorThread ?? true;
  const pipeline = await startPipeline({ scenario, tenantLimit: 'none', firehoseBufferSeconds: 1, processorThread: inThread, processor: { pollIntervalMs: 100 } });
  try {
    const processor = { get counters() { return pipeline.processorCounters()!; } };
    const raw = await measureKinesisPutRate(pipeline.target.emulators.kinesis, { records: 20_000, recordBytes: 250, batchSize: 500, concurrency: 2 });
    const statuses: Record<number, number> = {};
    // node:http with keep-alive rather than fetch: the poster shares the emulators' thread, and fetch costs it more.
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    const requests = Math.ceil(options.events / perRequest);
    const filler = 'x'.repeat(120);
    let next = 0;
    const t0 = performance.now();
    const now = Date.now();
    const worker = async () => {
      for (;;) {
        const r = next++;
        if (r >= requests) return;
        const tenant = pipeline.tenants[r % tenants]!;
        const n = Math.min(perRequest, options.events - r * perRequest);
        const events = Array.from({ length: n }, (_, i) => ({ id: `b${r}-${i}`, timestamp: now + i, seq: r * perRequest + i, data: filler }));
        const status = await post(agent, `${pipeline.apiUrl}/v1/tenants/${tenant.id}/events`, tenant.apiKey, JSON.stringify({ events }));
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    agent.destroy();
    const accepted = performance.now() - t0;
    const deadline = Date.now() + 120_000;
    while (processor.counters.stored < options.events || (pipeline.target.firehose?.totals().deliveredRecords ?? 0) < options.events) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const endToEnd = performance.now() - t0;
    const audit = await auditPipeline({ aws: pipeline.aws, names: pipeline.names, api: pipeline.api.counters, firehoseBuffered: 0 });
    const problems = [...audit.problems];
    if (audit.stored !== options.events) problems.push(`stored ${audit.stored} of ${options.events}`);
    if (audit.accepted !== options.events) problems.push(`accepted ${audit.accepted} of ${options.events}`);
    return {
      events: options.events,
      perRequest,
      concurrency,
      acceptedPerSecond: options.events / (accepted / 1000),
      endToEndPerSecond: options.events / (endToEnd / 1000),
      kinesisRawPerSecond: raw.recordsPerSecond,
      latencyMs: { p50: processor.counters.endToEndMs.p50, p99: processor.counters.endToEndMs.p99 },
      ok: problems.length === 0,
      problems,
      statuses,
    };
  } finally {
    await pipeline.stop();
  }
}

function post(agent: Agent, url: string, apiKey: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-api-key': apiKey, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function runPipelineBench(options: { quick?: boolean }): Promise<void> {
  const events = options.quick ? 10_000 : 50_000;
  console.log('');
  console.log(`real pipeline, embedded target (edge + API in one thread; each emulator and the processor in a worker thread): ${events.toLocaleString('en-US')} events in multi-puts of 250, 8 at a time, audited`);
  const r = await measurePipeline({ events });
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(8);
  console.log(`  accepted by the API        ${fmt(r.acceptedPerSecond)} events/s`);
  console.log(`  end to end (stored + S3)   ${fmt(r.endToEndPerSecond)} events/s   goal 5,000  ${r.endToEndPerSecond >= 5_000 ? 'met' : 'NOT met'}`);
  console.log(`  latency, accepted → stored p50 ${r.latencyMs.p50.toLocaleString('en-US')} ms, p99 ${r.latencyMs.p99.toLocaleString('en-US')} ms (the posting outruns the processor: this is mostly queueing)`);
  console.log(`  kinesalite PutRecords raw  ${fmt(r.kinesisRawPerSecond)} records/s (straight to the emulator, same run)`);
  console.log(`  machine                    load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores (other work on the machine slows every figure here)`);
  console.log(`  audit                      ${r.ok ? 'OK: every event stored once and delivered' : `FAILED: ${r.problems.join('; ')}`}   answers ${JSON.stringify(r.statuses)}`);
}
