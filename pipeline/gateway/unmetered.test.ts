import { describe, expect, it } from 'vitest';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DEFAULT_NAMES } from '../storage/provision.ts';
import { scenarioSchema } from '../../scenarios/schema.ts';
import { createAwsClients } from '../aws-clients.ts';
import { scanStream } from '../storage/stream-scan.ts';
import { startEmbedded } from '../targets/embedded.ts';
import { createQuotaGateway } from './quota-gateway.ts';
import { createManualClock } from './scenario-clock.ts';

describe("the pipeline's bookkeeping past the quota gateway", () => {
  it('a shard that has spent its 5 GetRecords calls for the second still gives the audit all 40 records, and the gateway counts none of its calls', async () => {
    const scenario = scenarioSchema.parse({ name: 'unmetered', duration: '1m', tenants: [{ name: 't', count: 1, rate: 1 }], kinesis: { shards: 1 } });
    const clock = createManualClock();
    const gateway = createQuotaGateway(scenario, { clock, pollMs: 0 });
    const target = await startEmbedded({ middleware: gateway.middleware, backends: gateway.backends });
    const aws = createAwsClients(target);
    try {
      await aws.kinesis.send(new CreateStreamCommand({ StreamName: 's', ShardCount: 1 }));
      await gateway.poll();
      for (let i = 0; i < 4; i++) {
        await aws.kinesis.send(new PutRecordsCommand({ StreamName: 's', Records: Array.from({ length: 10 }, (_, j) => ({ PartitionKey: `k${i}-${j}`, Data: Buffer.from(`{"n":${i * 10 + j}}`) })) }));
      }
      const it = await aws.kinesis.send(new GetShardIteratorCommand({ StreamName: 's', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
      // The workload's reads: 5 calls per shard per second (§1), the sixth in the same second is refused.
      const outcomes: string[] = [];
      let iterator = it.ShardIterator!;
      for (let call = 0; call < 6; call++) {
        outcomes.push(
          await aws.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1 })).then(
            (out) => ((iterator = out.NextShardIterator!), 'ok'),
            (e: Error) => e.name,
          ),
        );
      }
      expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ProvisionedThroughputExceededException']);
      const metered = { ...gateway.counters.kinesis };
      expect(metered).toMatchObject({ getRecordsCalls: 6, throttledGetRecords: 1 });

      // Same second on the scenario clock: the audit's reader still reads the whole shard, and pays nothing.
      const seen: number[] = [];
      const count = await scanStream(aws.kinesis, 's', (record) => seen.push(JSON.parse(Buffer.from(record.Data!).toString()).n));
      expect(count).toBe(40);
      expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      expect(gateway.counters.kinesis).toMatchObject({ getRecordsCalls: 6, throttledGetRecords: 1 });
    } finally {
      aws.destroy();
      gateway.close();
      await target.stop();
    }
  });

  it("the pipeline's schema table is written at weight 1 whatever the run's weight: 200 tenants' schemas at weight 100 pass a new on-demand table (4,000 writes/s)", async () => {
    const scenario = scenarioSchema.parse({ name: 'bookkeeping', duration: '1m', tenants: [{ name: 't', count: 1, rate: 1 }], dynamodb: { mode: 'on-demand' } });
    const clock = createManualClock();
    const gateway = createQuotaGateway(scenario, { clock, weight: 100, pollMs: 0 });
    const target = await startEmbedded({ middleware: gateway.middleware, backends: gateway.backends });
    const aws = createAwsClients(target);
    try {
      const table = { AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }], BillingMode: 'PAY_PER_REQUEST' as const };
      await aws.dynamodb.send(new CreateTableCommand({ TableName: DEFAULT_NAMES.schemaTable, ...table }));
      await aws.dynamodb.send(new CreateTableCommand({ TableName: 'events', ...table }));
      clock.set(1);
      for (let i = 0; i < 200; i++) await aws.dynamodb.send(new PutItemCommand({ TableName: DEFAULT_NAMES.schemaTable, Item: { pk: { S: `tenant-${i}` } } }));
      expect(gateway.counters.dynamodb).toMatchObject({ acceptedItems: 200, throttledItems: 0 });
      // The scenario's own table still weighs each write 100: the 41st in the second is refused.
      for (let i = 0; i < 40; i++) await aws.dynamodb.send(new PutItemCommand({ TableName: 'events', Item: { pk: { S: `e-${i}` } } }));
      await expect(aws.dynamodb.send(new PutItemCommand({ TableName: 'events', Item: { pk: { S: 'e-40' } } }))).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    } finally {
      aws.destroy();
      gateway.close();
      await target.stop();
    }
  });
});
