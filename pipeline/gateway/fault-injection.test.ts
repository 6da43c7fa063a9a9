import { describe, expect, it } from 'vitest';
import { CreateStreamCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { faultsConfigSchema } from '../../sim/faults.ts';
import { startEmbedded } from '../targets/embedded.ts';
import { createAwsClients } from '../aws-clients.ts';
import { createFaultInjection } from './fault-injection.ts';
import { createManualClock } from './scenario-clock.ts';

describe('fault injection from a faults: section, outermost on the edge', () => {
  it('a 5xx window on PutRecords from 60 s to 120 s, 50% DynamoDB throttles, and 300 ms slow answers, each as the SDK sees them', async () => {
    const clock = createManualClock();
    const rules = faultsConfigSchema.parse([
      { service: 'kinesis', operation: 'PutRecords', error: '5xx', from: '1m', to: '2m' },
      { service: 'dynamodb', operation: 'PutItem', error: 'throttle', rate: 0.5 },
      { service: 'kinesis', operation: 'DescribeStreamSummary', error: 'slow', latency: '300ms' },
    ]);
    const faults = createFaultInjection(rules, { clock, seed: 3 });
    const target = await startEmbedded({ middleware: [faults.middleware] });
    const aws = createAwsClients(target);
    try {
      await aws.kinesis.send(new CreateStreamCommand({ StreamName: 'f', ShardCount: 1 }));
      const put = () => aws.kinesis.send(new PutRecordsCommand({ StreamName: 'f', Records: [{ PartitionKey: 'a', Data: Buffer.from('x') }] }));
      await put();
      clock.set(60);
      await expect(put()).rejects.toMatchObject({ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } });
      clock.set(120);
      await put();

      await aws.dynamodb.send(new CreateTableCommand({ TableName: 'faulty', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
      let throttled = 0;
      for (let i = 0; i < 100; i++) {
        await aws.dynamodb.send(new PutItemCommand({ TableName: 'faulty', Item: { pk: { S: String(i) } } })).catch((e) => {
          expect(e.name).toBe('ProvisionedThroughputExceededException');
          throttled++;
        });
      }
      // Binomial(100, 0.5): 50 ± 5; outside 30–70 is a 4σ event.
      expect(throttled).toBeGreaterThan(30);
      expect(throttled).toBeLessThan(70);

      const started = performance.now();
      const { DescribeStreamSummaryCommand } = await import('@aws-sdk/client-kinesis');
      await aws.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'f' }));
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
      expect(faults.counters.injected).toBe(1 + throttled + 1);
    } finally {
      aws.destroy();
      await target.stop();
    }
  });
});
