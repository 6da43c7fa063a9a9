/**
 * kinesis-scaling-utils' split/merge fallback in the autoscaler runner, on the embedded target behind the quota gateway:
 * a 1 → 3 UpdateShardCount is refused (more than 2×), and the runner reaches 3 shards with the simulator's plan,
 * SplitShard by SplitShard through the SDK. Manual clock, real emulators, real SDK clients.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
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
});
