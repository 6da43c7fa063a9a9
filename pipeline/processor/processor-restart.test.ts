import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { auditPipeline } from '../audit/audit-pipeline.ts';
import { startPipeline, type RunningPipeline } from '../run-pipeline.ts';
import { pipelineScenario, postEvents, waitFor } from '../../test/pipeline-helpers.ts';
import type { ProcessorCounters } from './stream-processor.ts';
import { LeaseTable } from './lease-table.ts';
import { scanStream } from '../storage/stream-scan.ts';

const MAIN = fileURLToPath(new URL('./processor-main.ts', import.meta.url));

/** The processor in a child process, with its last reported counters. */
class ChildProcessor {
  readonly child: ChildProcess;
  last: ProcessorCounters | undefined;
  final: ProcessorCounters | undefined;
  ready = false;
  exited: Promise<number | null>;

  constructor(pipeline: RunningPipeline) {
    const config = {
      target: { region: pipeline.region, endpoint: pipeline.edgeUrl, credentials: pipeline.target.credentials },
      processor: { ...pipeline.processorOptions, pollIntervalMs: 50 },
      reportMs: 50,
    };
    // node itself with tsx as a loader: SIGKILL must reach the processor, not a wrapper process.
    this.child = spawn(process.execPath, ['--import', 'tsx', MAIN], { env: { ...process.env, INGESTLAB_PROCESSOR: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as { ready?: true; final?: ProcessorCounters } & ProcessorCounters;
      if (msg.ready) this.ready = true;
      else if (msg.final) this.final = msg.final;
      else this.last = msg;
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }
}

describe('the processor killed with SIGKILL mid-run resumes from its checkpoint and loses nothing', () => {
  let pipeline: RunningPipeline;
  const children: ChildProcessor[] = [];
  beforeAll(async () => {
    pipeline = await startPipeline({
      scenario: pipelineScenario({ tenants: 2, shards: 2, batchSize: 100 }),
      firehoseBufferSeconds: 1,
      tenantLimit: 'none',
      retentionSeconds: 20 * 365 * 86_400,
      processor: false,
    });
  });
  afterAll(async () => {
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
    await pipeline?.stop();
  });

  it('a second processor reads on from the lease table: every event stored exactly once', async () => {
    const TOTAL = 2000;
    const events = (tenant: number) =>
      Array.from({ length: TOTAL / 2 }, (_, i) => ({ id: `t${tenant}-${i}`, timestamp: Date.UTC(2026, 0, 6) + i, seq: i, data: 'x'.repeat(200) }));
    const first = new ChildProcessor(pipeline);
    children.push(first);
    await waitFor('the first processor to start', () => first.ready, 20_000);
    // Traffic keeps coming while the first processor works; it is killed once it has checkpointed a few batches.
    const posting = Promise.all(pipeline.tenants.map((t, i) => postEvents(pipeline.apiUrl, t, events(i), 100)));
    await waitFor('3 batches done', () => (first.last?.batches ?? 0) >= 3, 20_000);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe(null); // killed by the signal: no drain, no final checkpoint
    expect((await posting).flat().every((s) => s === 202)).toBe(true);
    // What the lease table says was done, and so what a resumed processor must read: the records after each checkpoint.
    const checkpoints = await new LeaseTable(pipeline.aws.dynamodb, pipeline.names.leaseTable).all();
    let afterCheckpoints = 0;
    await scanStream(pipeline.aws.kinesis, pipeline.names.stream, (record, shardId) => {
      const checkpoint = checkpoints.get(shardId);
      if (checkpoint === undefined || BigInt(record.SequenceNumber!) > BigInt(checkpoint)) afterCheckpoints++;
    });
    expect(checkpoints.size).toBeGreaterThan(0);
    expect(afterCheckpoints).toBeGreaterThan(0);
    expect(afterCheckpoints).toBeLessThan(TOTAL);

    const second = new ChildProcessor(pipeline);
    children.push(second);
    await waitFor('the records after the checkpoints stored', () => (second.last?.stored ?? 0) >= afterCheckpoints, 30_000);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    // It started after the checkpoints, not from the start of the stream: exactly the records after them.
    expect(second.final!.recordsRead).toBe(afterCheckpoints);
    await waitFor('S3 delivery', () => pipeline.target.firehose!.totals().deliveredRecords >= TOTAL);
    const audit = await auditPipeline({ aws: pipeline.aws, names: pipeline.names, api: pipeline.api.counters });
    expect(audit).toMatchObject({ accepted: TOTAL, inKinesis: TOTAL, stored: TOTAL, storedTwice: 0, missingFromDynamo: 0, missingFromS3: 0, ok: true });
  }, 60_000);
});
