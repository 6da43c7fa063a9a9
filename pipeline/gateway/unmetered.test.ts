import { describe, expect, it } from 'vitest';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { scenarioSchema } from '../../scenarios/schema.ts';
import { createAwsClients } from '../aws-clients.ts';
import { scanStream } from '../storage/stream-scan.ts';
import { startEmbedded } from '../targets/embedded.ts';
import { createQuotaGateway } from './quota-gateway.ts';
import { createManualClock } from './scenario-clock.ts';

describe('the audit reads past the quota gateway unmetered', () => {
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
});
