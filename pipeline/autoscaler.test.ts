import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { BatchWriteItemCommand, CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { scenarioSchema } from '../scenarios/schema.ts';
import { simulate } from '../sim/simulation.ts';
import { startEmbedded } from './targets/embedded.ts';
import { createAwsClients } from './aws-clients.ts';
import { createQuotaGateway } from './gateway/quota-gateway.ts';
import { createManualClock, createScaledClock } from './gateway/scenario-clock.ts';
import { startAutoscaler } from './autoscaler.ts';

/**
 * 20 scenario seconds per wall second: each PutRecords call must carry less than one scenario second of a shard's
 * capacity, and on this shared 2-core machine a call takes 20-30 ms of wall time (0.4-0.6 scenario s at 20×; at 60× a
 * call carries 1.2-1.8 s of traffic and the shard's bucket throttles what the simulator, spreading a tick evenly, does not).
 */
const TIME_SCALE = 20;
const WEIGHT = 20;
const RATE = 800; // records/s on one shard: 80% of its 1,000

/**
 * One shard at 80%, kinesis-scaling-utils scaling up at 30% after 1 minute; CloudWatch publishes 120 s after a minute
 * ends. The threshold sits far below the load so that a machine too busy to send every scenario second's records on
 * time (the whole suite in parallel) still shows a high minute 0, as the simulator does.
 */
const scenario = scenarioSchema.parse({
  name: 'ksu-up',
  duration: '6m',
  tenants: [{ name: 't', count: 8, rate: RATE / 8, noise: 'none', eventBytes: 100 }],
  kinesis: {
    shards: 1,
    partitionKey: 'random',
    reshardSeconds: 30,
    autoscaler: {
      policy: 'kinesis-scaling-utils',
      scaleOnOperation: ['PUT'],
      checkInterval: '45s',
      scaleUp: { scaleThresholdPct: 30, scaleAfterMins: 1, scalePct: 200 },
      scaleDown: { scaleThresholdPct: 5, scaleAfterMins: 10, scalePct: 50, coolOffMins: 30 },
    },
  },
  producer: { maxRetries: 0 },
  dynamodb: { writeCapacity: 40_000 },
});

describe('autoscaler runner: the simulator’s policy modules on the gateway’s live metrics', () => {
  it(`kinesis-scaling-utils scales 1 → 2 shards within one 45 s check of the simulator's time (800 records/s, timeScale ${TIME_SCALE}, weight ${WEIGHT})`, async () => {
    const predicted = simulate(scenario).summary.scaling.actions.find((a) => a.service === 'kinesis');
    expect(predicted).toMatchObject({ from: 1, to: 2 });

    const clock = createScaledClock({ timeScale: TIME_SCALE });
    const gateway = createQuotaGateway(scenario, { clock, weight: WEIGHT });
    const target = await startEmbedded({ middleware: gateway.middleware, backends: gateway.backends });
    const aws = createAwsClients(target);
    let runner: ReturnType<typeof startAutoscaler> | undefined;
    try {
      await aws.kinesis.send(new CreateStreamCommand({ StreamName: 'ksu', ShardCount: 1 }));
      // The scenario starts with its traffic, as the simulator's does: scenario time 0 is now, not when the emulators started.
      clock.restart();
      runner = startAutoscaler({ scenario, clients: aws, clock, stream: 'ksu' });
      // Paced producers: 4 in flight, each sending what is due at RATE scenario records/s, each record standing for WEIGHT.
      const start = clock.now();
      let claimed = 0;
      const data = Buffer.alloc(100, 'x');
      const deadline = predicted!.atSeconds + 120;
      const producer = async () => {
        while (runner!.actions.length === 0 && clock.now() - start < deadline) {
          const due = Math.min(500, Math.floor(((clock.now() - start) * RATE) / WEIGHT) - claimed);
          if (due <= 0) {
            await new Promise((r) => setTimeout(r, 2));
            continue;
          }
          claimed += due;
          await aws.kinesis.send(new PutRecordsCommand({ StreamName: 'ksu', Records: Array.from({ length: due }, () => ({ PartitionKey: randomUUID(), Data: data })) }));
        }
      };
      await Promise.all([producer(), producer(), producer(), producer()]);
      const sent = claimed;
      const real = runner.actions[0];
      expect(runner.errors).toEqual([]);
      expect(real).toMatchObject({ service: 'kinesis', from: 1, to: 2 });
      expect(Math.abs(real!.atSeconds - predicted!.atSeconds)).toBeLessThanOrEqual(45);
      // The stream is UPDATING for the scenario's 30 s reshard delay, then has 2 open shards.
      const wait = async () => (await aws.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'ksu' }))).StreamDescriptionSummary!;
      for (let i = 0; i < 200 && (await wait()).OpenShardCount !== 2; i++) await new Promise((r) => setTimeout(r, 25));
      expect((await wait()).OpenShardCount).toBe(2);
      console.log(`simulator: first scale-up at ${predicted!.atSeconds} s; gateway + runner: ${real!.atSeconds.toFixed(1)} s (scenario time); throttled ${gateway.counters.kinesis.throttledRecords} of ${sent * WEIGHT}`);
    } finally {
      await runner?.stop();
      gateway.close();
      aws.destroy();
      await target.stop();
    }
  });

  it('target tracking at 70%: a 100 WCU table written at 90 WCU scales to ceil(90 / 0.7) = 129 WCU at 240 s, when the 2nd minute above target is published (manual clock)', async () => {
    const tableScenario = scenarioSchema.parse({
      name: 'tt-up',
      duration: '10m',
      tenants: [{ name: 't', rate: 1 }],
      dynamodb: { writeCapacity: 100, autoscaling: { policy: 'target-tracking', targetUtilization: 70 } },
    });
    const clock = createManualClock();
    const gateway = createQuotaGateway(tableScenario, { clock, weight: 50, pollMs: 20 });
    const target = await startEmbedded({ middleware: gateway.middleware, backends: gateway.backends });
    const aws = createAwsClients(target);
    let runner: ReturnType<typeof startAutoscaler> | undefined;
    try {
      const table = 'events_2026_W02';
      await aws.dynamodb.send(new CreateTableCommand({ TableName: table, AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 100 } }));
      runner = startAutoscaler({ scenario: tableScenario, clients: aws, clock, stream: 'none' });
      let n = 0;
      // Every 5 s (at 4, 9, …, 59 in each minute) 9 items of 1 WCU, each standing for 50: 450 WCU, from the second's 100
      // and the 4 idle seconds' credits; 12 writes a minute = 5,400 WCU = 90 WCU/s.
      for (let second = 4; second <= 250 && runner.actions.length === 0; second += 5) {
        clock.set(second);
        await aws.dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [table]: Array.from({ length: 9 }, () => ({ PutRequest: { Item: { pk: { S: `i${n++}` } } } })) } }));
        // Let the runner see the minutes turn (it follows a manual clock within 100 ms).
        if (second % 60 === 59 || second >= 235) await new Promise((r) => setTimeout(r, 150));
      }
      expect(gateway.counters.dynamodb.throttledItems).toBe(0);
      expect(runner.errors).toEqual([]);
      expect(runner.actions[0]).toMatchObject({ service: 'dynamodb', resource: table, from: 100, to: 129 });
      expect(runner.actions[0]!.atSeconds).toBeGreaterThanOrEqual(240);
      expect(runner.actions[0]!.atSeconds).toBeLessThan(250);
      expect((await aws.dynamodb.send(new DescribeTableCommand({ TableName: table }))).Table?.TableStatus).toBe('UPDATING');
    } finally {
      await runner?.stop();
      gateway.close();
      aws.destroy();
      await target.stop();
    }
  });
});
