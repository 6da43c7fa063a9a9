/**
 * kinesis-scaling-utils' split/merge fallback in the autoscaler runner, on the embedded target behind the quota gateway:
 * a 1 → 3 UpdateShardCount is refused (more than 2×), and the runner reaches 3 shards with the simulator's plan,
 * SplitShard by SplitShard through the SDK. Manual clock, real emulators, real SDK clients.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CreateStreamCommand, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { ScalingPolicy } from '../sim/policies/policy.ts';
import { startEmbedded } from './targets/embedded.ts';
import { createAwsClients } from './aws-clients.ts';
import { createQuotaGateway } from './gateway/quota-gateway.ts';
import { startAutoscaler } from './autoscaler.ts';
import { scenarioSchema } from '../scenarios/schema.ts';
import { planSplitMerge } from '../sim/policies/kinesis-scaling-utils.ts';
import { startPipeline } from './run-pipeline.ts';
import { fractionToKey } from './autoscaler.ts';
import { createManualClock } from './gateway/scenario-clock.ts';
import { waitFor } from '../test/pipeline-helpers.ts';

const scenario = scenarioSchema.parse({
  name: 'ksu-split-merge',
  duration: '10m',
  tenants: [{ name: 't', count: 1, rate: 1 }],
  kinesis: {
    shards: 1,
    partitionKey: 'random',
    reshardSeconds: 30,
    autoscaler: {
      policy: 'kinesis-scaling-utils',
      scaleOnOperation: ['PUT'],
      checkInterval: '45s',
      // 300% is a multiplier: 1 shard → 3, which UpdateShardCount refuses (more than 2× the open shards).
      scaleUp: { scaleThresholdPct: 30, scaleAfterMins: 1, scalePct: 300, coolOffMins: 30 },
      scaleDown: { scaleThresholdPct: 5, scaleAfterMins: 10, scalePct: 50, coolOffMins: 30 },
    },
  },
  dynamodb: { mode: 'on-demand' },
  firehose: { bufferSeconds: '1s', bufferMb: 1 },
});

describe('autoscaler runner: the split/merge fallback after a refused UpdateShardCount', () => {
  it('1 shard at 60% → kinesis-scaling-utils asks for 3, is refused, and reaches 3 with two SplitShards at ⅓ and ⅔', async () => {
    // The simulator's planner, by hand: [0, 1) split at ⅓, then its upper part [⅓, 1) split at ⅔.
    expect(planSplitMerge([{ lo: 0, hi: 1 }], 3).map((op) => `${op.kind} ${op.at.toFixed(4)}`)).toEqual(['split 0.3333', 'split 0.6667']);

    const clock = createManualClock(0);
    const pipeline = await startPipeline({ scenario, gateway: { clock, weight: 50, pollMs: 20 }, processor: false });
    try {
      const kinesis = pipeline.aws.kinesis;
      const stream = pipeline.names.stream;
      // Minute 0: 12 records × weight 50 = 600 records at each of seconds 1 … 59, 60% of the shard's 1,000/s.
      for (let second = 1; second <= 59; second++) {
        clock.set(second);
        const out = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: Array.from({ length: 12 }, () => ({ PartitionKey: randomUUID(), Data: Buffer.from('x') })) }));
        expect(out.FailedRecordCount).toBe(0);
      }
      // Minute 0 is published at 60 + 120 = 180 s: the checks at 45, 90 and 135 s see nothing to scale on.
      for (let second = 60; second < 180; second += 5) {
        clock.set(second);
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(pipeline.autoscaler!.actions).toEqual([]);
      clock.set(180);
      const open = async () =>
        ((await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? []).filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined);
      await waitFor('three actions and three open shards', async () => pipeline.autoscaler!.actions.length >= 3 && (await open()).length === 3, 15_000);

      const actions = pipeline.autoscaler!.actions;
      console.log(actions.map((a) => `${a.atSeconds} s ${a.from} → ${a.to}: ${a.reason}${a.refusal ? ` [${a.refusal}]` : ''}`).join('\n'));
      expect(pipeline.autoscaler!.errors).toEqual([]);
      expect(actions).toHaveLength(3);
      expect(actions[0]).toMatchObject({ atSeconds: 180, from: 1, to: 3, refusal: expect.stringMatching(/^InvalidArgumentException: .*more than 2×/) });
      // The clock stands at 180 and kinesalite is ACTIVE at once: the tool sees each split ACTIVE when it issues it.
      expect(actions[1]).toMatchObject({ atSeconds: 180, from: 1, to: 2, reason: 'kinesis-scaling-utils split/merge fallback, step 1 of 2: SplitShard at 33.3% of the key space' });
      expect(actions[2]).toMatchObject({ atSeconds: 180, from: 2, to: 3, reason: 'kinesis-scaling-utils split/merge fallback, step 2 of 2: SplitShard at 66.7% of the key space' });
      expect(actions[1]!.refusal).toBeUndefined();
      expect(actions[2]!.refusal).toBeUndefined();

      // Three open shards meeting at ⅓ and ⅔ of 2¹²⁸ (to 2⁶⁴), the first from 0, the last to 2¹²⁸ − 1.
      const shards = (await open()).sort((a, b) => (BigInt(a.HashKeyRange!.StartingHashKey!) < BigInt(b.HashKeyRange!.StartingHashKey!) ? -1 : 1));
      expect(shards.map((s) => s.HashKeyRange!.StartingHashKey)).toEqual(['0', fractionToKey(1 / 3).toString(), fractionToKey(2 / 3).toString()]);
      expect(shards[2]!.HashKeyRange!.EndingHashKey).toBe(((1n << 128n) - 1n).toString());
      const third = (1n << 128n) / 3n;
      expect(Number((fractionToKey(1 / 3) - third) * 1_000_000n / third)).toBe(0); // within a millionth (it is within 2⁻⁶⁴)
      // The gateway refused the UpdateShardCount (its model) and forwarded no reshard: the splits alone made the 3 shards.
      expect(pipeline.gateway!.counters.kinesis).toMatchObject({ refusedReshards: 1, reshards: 0 });
    } finally {
      await pipeline.stop();
    }
  }, 60_000);

  it('3 → 1, refused (below ½): two MergeShards at ⅓ and ⅔, the second issued when the policy sees the first ACTIVE (20 s later)', async () => {
    // By hand: [0,⅓) is narrower than 1; with [⅓,⅔) it is ⅔ ≤ 1: merge at ⅓; [0,⅔) with [⅔,1) is exactly 1: merge at ⅔.
    expect(planSplitMerge([{ lo: 0, hi: 1 / 3 }, { lo: 1 / 3, hi: 2 / 3 }, { lo: 2 / 3, hi: 1 }], 1).map((op) => `${op.kind} ${op.at.toFixed(4)}`)).toEqual(['merge 0.3333', 'merge 0.6667']);
    // A test policy: at its first check with 3 shards it asks for 1, with kinesis-scaling-utils' fallback; it sees an
    // operation ACTIVE 20 s after issuing it, as the tool's first poll does.
    const mergeDown: ScalingPolicy<{ policy: string }, { asked: boolean }> & { seesActiveAt(issuedAt: number, activeAt: number): number } = {
      name: 'merge-down',
      service: 'kinesis',
      configSchema: z.object({ policy: z.string() }),
      checkIntervalSeconds: () => 60,
      initialState: () => ({ asked: false }),
      decide: (view) =>
        view.state.asked || view.capacity !== 3
          ? { action: { kind: 'none' }, state: view.state }
          : { action: { kind: 'scale', to: 1, reason: 'test: 3 → 1', onRefusal: { kind: 'split-merge' } }, state: { asked: true } },
      seesActiveAt: (issuedAt) => issuedAt + 20,
    };
    const down = { ...scenario, kinesis: { ...scenario.kinesis, shards: 3, autoscaler: { policy: 'merge-down' } } } as typeof scenario;
    const clock = createManualClock(0);
    const gateway = createQuotaGateway(down, { clock, pollMs: 20 });
    const target = await startEmbedded({ middleware: gateway.middleware, backends: gateway.backends });
    const aws = createAwsClients(target);
    let runner: ReturnType<typeof startAutoscaler> | undefined;
    try {
      await aws.kinesis.send(new CreateStreamCommand({ StreamName: 'm', ShardCount: 3 }));
      runner = startAutoscaler({ scenario: down, clients: aws, clock, stream: 'm', resolvePolicy: (name) => (name === 'merge-down' ? mergeDown : undefined) });
      const open = async () =>
        ((await aws.kinesis.send(new ListShardsCommand({ StreamName: 'm' }))).Shards ?? []).filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined);
      clock.set(60);
      await waitFor('the refusal and the first merge', async () => runner!.actions.length >= 2 && (await open()).length === 2, 15_000);
      // The second merge waits for the policy to see the first ACTIVE: nothing more until the clock reads 80.
      await new Promise((r) => setTimeout(r, 400));
      expect(runner.actions).toHaveLength(2);
      clock.set(79);
      await new Promise((r) => setTimeout(r, 300));
      expect(runner.actions).toHaveLength(2);
      clock.set(80);
      await waitFor('the second merge', async () => runner!.actions.length >= 3 && (await open()).length === 1, 15_000);
      const actions = runner.actions;
      console.log(actions.map((a) => `${a.atSeconds} s ${a.from} → ${a.to}: ${a.reason}${a.refusal ? ` [${a.refusal}]` : ''}`).join('\n'));
      expect(runner.errors).toEqual([]);
      expect(actions[0]).toMatchObject({ atSeconds: 60, from: 3, to: 1, refusal: expect.stringMatching(/^InvalidArgumentException: .*less than ½/) });
      expect(actions[1]).toMatchObject({ atSeconds: 60, from: 3, to: 2, reason: 'kinesis-scaling-utils split/merge fallback, step 1 of 2: MergeShards at 33.3% of the key space' });
      expect(actions[2]).toMatchObject({ atSeconds: 80, from: 2, to: 1, reason: 'kinesis-scaling-utils split/merge fallback, step 2 of 2: MergeShards at 66.7% of the key space' });
      const [last] = await open();
      expect(last!.HashKeyRange).toEqual({ StartingHashKey: '0', EndingHashKey: ((1n << 128n) - 1n).toString() });
    } finally {
      await runner?.stop();
      gateway.close();
      aws.destroy();
      await target.stop();
    }
  }, 60_000);
});
