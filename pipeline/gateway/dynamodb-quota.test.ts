import { describe, expect, it } from 'vitest';
import { BatchWriteItemCommand, CreateTableCommand, DescribeTableCommand, PutItemCommand, UpdateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoDbConfigSchema } from '../../sim/dynamodb.ts';
import { startEmbedded } from '../targets/embedded.ts';
import { createAwsClients } from '../aws-clients.ts';
import { createDynamoDbQuota, type DynamoDbQuota } from './dynamodb-quota.ts';
import { MetricsStore } from './metrics-store.ts';
import { createManualClock, createScaledClock, sleepUntil, type ManualClock } from './scenario-clock.ts';

async function withGateway(weight: number, run: (ddb: DynamoDBClient, quota: DynamoDbQuota, clock: ManualClock, metrics: MetricsStore) => Promise<void>, unweightedTables?: string[]) {
  const clock = createManualClock();
  const metrics = new MetricsStore(clock, 120);
  const quota = createDynamoDbQuota({ config: dynamoDbConfigSchema.parse({}), clock, weight, metrics, ...(unweightedTables ? { unweightedTables } : {}) });
  const target = await startEmbedded({ middleware: [quota.middleware] });
  const aws = createAwsClients(target);
  try {
    await run(aws.dynamodb, quota, clock, metrics);
  } finally {
    aws.destroy();
    await target.stop();
  }
}

const createTable = (ddb: DynamoDBClient, name: string, wcu: number) =>
  ddb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: wcu },
    }),
  );

let seq = 0;
/** An item of well under 1 KB: 1 WCU. */
const item = () => ({ pk: { S: `item-${seq++}` }, body: { S: 'x'.repeat(200) } });

describe('DynamoDB capacity through the edge (dynalite behind the gateway, real SDK)', () => {
  it('10 WCU idle 30 s banks 300 credits; written at 15 WCU it first throttles 300 / (15 − 10) = 60 s later, 5 of 15 items a second', async () => {
    await withGateway(1, async (ddb, quota, clock, metrics) => {
      await createTable(ddb, 'burst', 10);
      clock.set(30);
      expect(quota.table('burst')?.burstCredits).toBe(300);
      let firstThrottle: number | undefined;
      const unprocessedAt: number[] = [];
      for (let second = 30; second < 95; second++) {
        clock.set(second);
        const out = await ddb.send(new BatchWriteItemCommand({ RequestItems: { burst: Array.from({ length: 15 }, () => ({ PutRequest: { Item: item() } })) } }));
        const unprocessed = out.UnprocessedItems?.burst?.length ?? 0;
        if (unprocessed > 0) {
          firstThrottle ??= second;
          unprocessedAt.push(unprocessed);
        }
      }
      expect(firstThrottle).toBe(90);
      expect(unprocessedAt).toEqual([5, 5, 5, 5, 5]);
      // The base 10 WCU of second 95 used, a PutItem is a 400.
      clock.set(95);
      await ddb.send(new BatchWriteItemCommand({ RequestItems: { burst: Array.from({ length: 10 }, () => ({ PutRequest: { Item: item() } })) } }));
      await expect(ddb.send(new PutItemCommand({ TableName: 'burst', Item: item() }))).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });
      expect(quota.counters.throttledItems).toBe(5 * 5 + 1);
      // Per minute, once published: 30 s × 15 WCU in minute 0; 30 × 15 + 5 × 10 + 10 in minute 1, with 25 + 1 throttled.
      clock.set(60 + 60 + 120);
      const sums = (name: string) => metrics.published('AWS/DynamoDB', name, { TableName: 'burst' }, 0, 1e9).map((m) => m.sum);
      expect(sums('ConsumedWriteCapacityUnits')).toEqual([450, 510]);
      expect(sums('WriteThrottleEvents')).toEqual([26]);
      expect(metrics.published('AWS/DynamoDB', 'ThrottledRequests', { TableName: 'burst', Operation: 'BatchWriteItem' }, 0, 1e9).map((m) => m.sum)).toEqual([5]);
    });
  });

  it('timeScale 100, weight 50: 100 WCU idle 300 s (30,000 credits) written at 150 WCU first throttles 30,000 / 50 = 600 s later (±5%)', async () => {
    const clock = createScaledClock({ timeScale: 100 });
    const quota = createDynamoDbQuota({ config: dynamoDbConfigSchema.parse({}), clock, weight: 50, metrics: new MetricsStore(clock, 120) });
    const target = await startEmbedded({ middleware: [quota.middleware] });
    const aws = createAwsClients(target);
    try {
      await createTable(aws.dynamodb, 'burst100', 100);
      const created = clock.now();
      while (clock.now() < created + 300) await sleepUntil(clock, created + 300);
      const start = clock.now();
      let claimed = 0;
      let firstThrottle: number | undefined;
      // Paced: 3 sent items (150 WCU at weight 50) per scenario second, what is due at each call.
      while (firstThrottle === undefined && clock.now() - start < 700) {
        const due = Math.min(25, Math.floor((clock.now() - start) * 3) - claimed);
        if (due <= 0) {
          await new Promise((r) => setTimeout(r, 2));
          continue;
        }
        claimed += due;
        const at = clock.now();
        const out = await aws.dynamodb.send(new BatchWriteItemCommand({ RequestItems: { burst100: Array.from({ length: due }, () => ({ PutRequest: { Item: item() } })) } })).catch((e) => {
          if (e.name !== 'ProvisionedThroughputExceededException') throw e;
          return { UnprocessedItems: { burst100: [1] } };
        });
        if ((out.UnprocessedItems?.burst100?.length ?? 0) > 0) firstThrottle = at - start;
      }
      console.log(`burst credits ran out ${firstThrottle?.toFixed(1)} s (scenario) after writing began at 150 WCU; the model computes 600 s`);
      expect(firstThrottle).toBeGreaterThan(570);
      expect(firstThrottle).toBeLessThan(630);
    } finally {
      aws.destroy();
      await target.stop();
    }
  });

  it('a BatchWriteItem with nothing writable is a 400; a 3 KB item costs 3 WCU', async () => {
    await withGateway(1, async (ddb, _quota, clock) => {
      await createTable(ddb, 'small', 5);
      clock.set(1); // 5 credits banked in 1 idle second + 5 WCU: 10 WCU this second
      await ddb.send(new PutItemCommand({ TableName: 'small', Item: { pk: { S: 'big' }, body: { S: 'x'.repeat(3000) } } }));
      await ddb.send(new PutItemCommand({ TableName: 'small', Item: { pk: { S: 'big2' }, body: { S: 'x'.repeat(3000) } } }));
      const big = (pk: string) => ({ PutRequest: { Item: { pk: { S: pk }, body: { S: 'x'.repeat(3000) } } } });
      // 6 of 10 WCU used: the first 3-WCU item fits (9), the second does not.
      const out = await ddb.send(new BatchWriteItemCommand({ RequestItems: { small: [big('big3'), big('big4')] } }));
      expect(out.UnprocessedItems?.small).toEqual([big('big4')]);
      await ddb.send(new BatchWriteItemCommand({ RequestItems: { small: [{ PutRequest: { Item: item() } }] } }));
      await expect(ddb.send(new BatchWriteItemCommand({ RequestItems: { small: [{ PutRequest: { Item: item() } }] } }))).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    });
  });

  it('UpdateTable 100 → 200 WCU: UPDATING for the 120 s update time, then 200 WCU; a 5th decrease in a UTC day is refused', async () => {
    await withGateway(1, async (ddb, quota, clock) => {
      await createTable(ddb, 'grow', 100);
      clock.set(10);
      const out = await ddb.send(new UpdateTableCommand({ TableName: 'grow', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 200 } }));
      expect(out.TableDescription?.TableStatus).toBe('UPDATING');
      await expect(ddb.send(new UpdateTableCommand({ TableName: 'grow', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 300 } }))).rejects.toMatchObject({ name: 'ResourceInUseException' });
      clock.set(129);
      await quota.poll();
      expect((await ddb.send(new DescribeTableCommand({ TableName: 'grow' }))).Table).toMatchObject({ TableStatus: 'UPDATING', ProvisionedThroughput: { WriteCapacityUnits: 100 } });
      clock.set(130);
      await quota.poll();
      expect((await ddb.send(new DescribeTableCommand({ TableName: 'grow' }))).Table).toMatchObject({ TableStatus: 'ACTIVE', ProvisionedThroughput: { WriteCapacityUnits: 200 } });
      expect(quota.table('grow')?.writeCapacity).toBe(200);
      // Four decreases are free; the fifth needs an hour without one (v3, §3.4).
      for (let i = 0; i < 4; i++) {
        clock.advance(200);
        await ddb.send(new UpdateTableCommand({ TableName: 'grow', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 199 - i } }));
        clock.advance(200);
        await quota.poll();
      }
      clock.advance(200);
      await expect(ddb.send(new UpdateTableCommand({ TableName: 'grow', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 150 } }))).rejects.toMatchObject({ name: 'LimitExceededException' });
    });
  });

  it('on-demand: a new table takes 4,000 writes/s (§3.6); with weight 100 the 41st item in a second is throttled', async () => {
    await withGateway(100, async (ddb, _quota, clock) => {
      await ddb.send(new CreateTableCommand({ TableName: 'od-table', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
      clock.set(1);
      const batch = (n: number) => ddb.send(new BatchWriteItemCommand({ RequestItems: { 'od-table': Array.from({ length: n }, () => ({ PutRequest: { Item: item() } })) } }));
      expect((await batch(25)).UnprocessedItems?.['od-table']).toBeUndefined();
      expect((await batch(16)).UnprocessedItems?.['od-table']).toHaveLength(1);
      clock.set(2);
      expect((await batch(25)).UnprocessedItems?.['od-table']).toBeUndefined();
    });
  });

  it("the pipeline's own tables are not weighted: at weight 100, 200 schema writes in one second pass a new on-demand table (4,000/s) whose events' 41st is refused", async () => {
    await withGateway(
      100,
      async (ddb, quota, clock) => {
        const onDemand = (name: string) => ddb.send(new CreateTableCommand({ TableName: name, AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
        await onDemand('schemas');
        await onDemand('events');
        clock.set(1);
        for (let i = 0; i < 200; i++) await ddb.send(new PutItemCommand({ TableName: 'schemas', Item: item() }));
        expect(quota.counters.throttledItems).toBe(0);
        const out = await ddb.send(new BatchWriteItemCommand({ RequestItems: { events: Array.from({ length: 25 }, () => ({ PutRequest: { Item: item() } })), schemas: [{ PutRequest: { Item: item() } }] } }));
        await ddb.send(new BatchWriteItemCommand({ RequestItems: { events: Array.from({ length: 15 }, () => ({ PutRequest: { Item: item() } })) } }));
        expect(out.UnprocessedItems?.['events']).toBeUndefined();
        expect(out.UnprocessedItems?.['schemas']).toBeUndefined();
        const last = await ddb.send(new BatchWriteItemCommand({ RequestItems: { events: [{ PutRequest: { Item: item() } }], schemas: [{ PutRequest: { Item: item() } }] } }));
        // 40 event items at weight 100 are the table's 4,000 for the second; the 41st is refused, the schema write is not.
        expect(last.UnprocessedItems?.['events']).toHaveLength(1);
        expect(last.UnprocessedItems?.['schemas']).toBeUndefined();
      },
      ['schemas'],
    );
  });
});
