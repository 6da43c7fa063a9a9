/**
 * `pipeline up` with the quota gateway (on by default on embedded) and without it (`--no-gateway`), and UpdateShardCount's
 * 24-hour quota counted on the gateway's scenario clock. Real emulators behind the edge, real SDK clients.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand, UpdateShardCountCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { runPipelineUp, type UpOptions } from './pipeline-command.ts';
import { startPipeline, type RunningPipeline } from '../pipeline/run-pipeline.ts';
import { createManualClock } from '../pipeline/gateway/scenario-clock.ts';
import { pipelineScenario, waitFor } from '../test/pipeline-helpers.ts';

function capture() {
  let text = '';
  const stream = new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) });
  return { stream, text: () => text };
}

/** Runs `pipeline up` with these flags, hands the running pipeline to `body`, then stops it as Ctrl-C would. */
async function withUp(options: UpOptions, body: (pipeline: RunningPipeline, out: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ingestlab-up-gateway-'));
  let release!: () => void;
  const until = new Promise<void>((r) => (release = r));
  let pipeline: RunningPipeline | undefined;
  const out = capture();
  const done = runPipelineUp(
    { scenario: 'steady', maxTenants: 2, keysFile: join(dir, 'keys.json'), stateFile: join(dir, 'state.json'), processorThread: false, ...options },
    { out: out.stream, err: capture().stream, until, onUp: (p) => (pipeline = p) },
  );
  done.catch(() => undefined);
  try {
    await waitFor('pipeline up', () => pipeline !== undefined, 30_000);
    await body(pipeline!, out.text());
  } finally {
    release();
    expect(await done).toBe(0);
  }
}

/** 1,500 records of 10 B in three PutRecords calls of 500, back to back, on a fresh 1-shard stream: the per-record error codes. */
async function offer1500(kinesis: KinesisClient): Promise<string[]> {
  await kinesis.send(new CreateStreamCommand({ StreamName: 'one-shard', ShardCount: 1 }));
  await waitFor('one-shard ACTIVE', async () => (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'one-shard' }))).StreamDescriptionSummary?.StreamStatus === 'ACTIVE');
  const codes: string[] = [];
  for (let call = 0; call < 3; call++) {
    const out = await kinesis.send(
      new PutRecordsCommand({ StreamName: 'one-shard', Records: Array.from({ length: 500 }, (_, i) => ({ PartitionKey: `k${call}-${i}`, Data: Buffer.from('0123456789') })) }),
    );
    expect(out.Records).toHaveLength(500);
    for (const r of out.Records!) codes.push(r.ErrorCode ?? 'OK');
  }
  return codes;
}

const count = (codes: string[], code: string) => codes.filter((c) => c === code).length;

describe('pipeline up: the quota gateway', () => {
  it('is on by default: a 1-shard stream offered 1,500 records within one scenario second throttles the 500 over its 1,000 records/s, per record', async () => {
    // --time-scale 0.001: the three calls take a few wall ms, i.e. microseconds of scenario time, so the shard's bucket
    // (1,000 records, one second of its limit) refills by at most a record or two: 1,500 − 1,000 = 500 throttled.
    await withUp({ timeScale: '0.001' }, async (pipeline, out) => {
      expect(pipeline.gateway).toBeDefined();
      expect(pipeline.gateway!.clock.timeScale).toBe(0.001);
      expect(out).toContain('gateway     ON, scenario clock ×0.001');
      expect(out).toContain('Kinesis 1 MiB/s and 1,000 records/s written');
      expect(out).toContain('UpdateShardCount 10 calls/24 h');
      const codes = await offer1500(pipeline.aws.kinesis);
      const throttled = count(codes, 'ProvisionedThroughputExceededException');
      console.log(`gateway on: ${throttled} of 1500 records throttled (ProvisionedThroughputExceededException), ${count(codes, 'OK')} accepted`);
      expect(throttled).toBeGreaterThanOrEqual(495);
      expect(throttled).toBeLessThanOrEqual(500);
      expect(count(codes, 'OK')).toBe(1500 - throttled);
      expect(pipeline.gateway!.counters.kinesis.throttledRecords).toBe(throttled);
    });
  });

  it('--no-gateway serves the raw emulators: the same 1,500 records are all accepted, and it says no limit is enforced', async () => {
    await withUp({ gateway: false }, async (pipeline, out) => {
      expect(pipeline.gateway).toBeUndefined();
      expect(pipeline.autoscaler).toBeUndefined();
      expect(out).toContain('gateway     OFF (--no-gateway): raw emulators, no AWS limit is enforced');
      const codes = await offer1500(pipeline.aws.kinesis);
      expect(count(codes, 'OK')).toBe(1500);
    });
  });

  it('refuses --time-scale without the gateway, and a time scale that is not a positive number, before starting anything', async () => {
    const io = { out: capture().stream, err: capture().stream, until: Promise.resolve() };
    await expect(runPipelineUp({ gateway: false, timeScale: '10' }, io)).rejects.toThrow(/--time-scale is the quota gateway's scenario clock: drop --no-gateway/);
    await expect(runPipelineUp({ timeScale: '0' }, io)).rejects.toThrow(/--time-scale: expected a positive number, got 0/);
    await expect(runPipelineUp({ timeScale: 'fast' }, io)).rejects.toThrow(/--time-scale: expected a positive number, got fast/);
  });
});

describe("UpdateShardCount's 24-hour quota on kinesalite counts in the gateway's scenario time", () => {
  it('10 calls go through, the 11th within 24 scenario hours is refused, and one after 24 scenario hours reaches the stream', async () => {
    const clock = createManualClock(0);
    const base = pipelineScenario({ shards: 1 });
    const scenario = { ...base, kinesis: { ...base.kinesis, reshardSeconds: 30 } };
    const pipeline = await startPipeline({ scenario, gateway: { clock, pollMs: 0 }, autoscale: false, processor: false });
    try {
      const kinesis = pipeline.aws.kinesis;
      const stream = pipeline.names.stream;
      const openShards = async () => (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary!;
      /** One accepted call: 30 scenario seconds of reshard delay, then the gateway forwards it and kinesalite gets there. */
      const reshard = async (to: number) => {
        await kinesis.send(new UpdateShardCountCommand({ StreamName: stream, TargetShardCount: to, ScalingType: 'UNIFORM_SCALING' }));
        clock.advance(31);
        await pipeline.gateway!.poll();
        await pipeline.target.reshard.settled(stream);
        const s = await openShards();
        expect(s).toMatchObject({ OpenShardCount: to, StreamStatus: 'ACTIVE' });
      };
      // 1 → 2 → 1 → … ten times, at scenario seconds 0, 31, …, 279: all within one scenario day.
      for (let i = 0; i < 10; i++) await reshard(i % 2 === 0 ? 2 : 1);
      expect(pipeline.gateway!.counters.kinesis.reshards).toBe(10);
      await expect(kinesis.send(new UpdateShardCountCommand({ StreamName: stream, TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }))).rejects.toMatchObject({
        name: 'LimitExceededException',
      });
      // The first call was at scenario second 0: at 86,401 it has left the rolling 24 h, so one call is free again.
      // On the wall clock the backend would still count ten calls in the last few seconds and refuse it.
      clock.set(86_401);
      await reshard(2);
      expect(pipeline.gateway!.counters.kinesis).toMatchObject({ reshards: 11, refusedReshards: 1, reshardErrors: [] });
      expect(pipeline.target.reshard.history().map((r) => r.error ?? 'ok')).toEqual(Array(11).fill('ok'));
    } finally {
      await pipeline.stop();
    }
  }, 60_000);
});
