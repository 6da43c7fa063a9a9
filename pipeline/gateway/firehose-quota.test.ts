import { describe, expect, it } from 'vitest';
import { CreateDeliveryStreamCommand, PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { firehoseConfigSchema } from '../../sim/firehose.ts';
import { startEmbedded } from '../targets/embedded.ts';
import { createAwsClients } from '../aws-clients.ts';
import { createFirehoseQuota } from './firehose-quota.ts';
import { MetricsStore } from './metrics-store.ts';
import { createManualClock } from './scenario-clock.ts';

describe('Firehose Direct PUT quotas through the edge (our endpoint behind the gateway, real SDK)', () => {
  it('v2 quotas outside the big regions (1,000 records/s): of 3 × 500 records in one second, 500 fail with ServiceUnavailableException', async () => {
    const clock = createManualClock();
    const quota = createFirehoseQuota({ config: firehoseConfigSchema.parse({ quotaEra: 'v2', quotaAutoIncrease: false }), region: 'us-east-2', clock, weight: 1, metrics: new MetricsStore(clock, 120) });
    expect(quota.limits).toEqual({ records: 1_000, requests: 1_000, bytes: 1_048_576 });
    const target = await startEmbedded({ middleware: [quota.middleware] });
    const aws = createAwsClients(target);
    try {
      await aws.s3.send(new CreateBucketCommand({ Bucket: 'sink' }));
      await aws.firehose.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: 'raw',
          DeliveryStreamType: 'DirectPut',
          ExtendedS3DestinationConfiguration: { RoleARN: 'arn:aws:iam::000000000000:role/f', BucketARN: 'arn:aws:s3:::sink', BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 } },
        }),
      );
      const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ Data: Buffer.from(`{"i":${i}}\n`) }));
      const out = [];
      for (let call = 0; call < 3; call++) out.push(await aws.firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'raw', Records: batch(500) })));
      expect(out.map((o) => o.FailedPutCount)).toEqual([0, 0, 500]);
      expect(out[2]!.RequestResponses?.[0]).toMatchObject({ ErrorCode: 'ServiceUnavailableException' });
      expect(out[1]!.RequestResponses?.[499]?.RecordId).toBeDefined();
      await expect(aws.firehose.send(new PutRecordCommand({ DeliveryStreamName: 'raw', Record: { Data: Buffer.from('x') } }))).rejects.toMatchObject({ name: 'ServiceUnavailableException', $metadata: { httpStatusCode: 503 } });
      clock.set(1);
      const next = await aws.firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'raw', Records: batch(500) }));
      expect(next.FailedPutCount).toBe(0);
      expect(quota.counters).toMatchObject({ acceptedRecords: 1_500, throttledRecords: 501 });
    } finally {
      aws.destroy();
      await target.stop();
    }
  });

  it("the automatic quota increase (the model's ramp, ×2 300 s after a throttled minute ends): 1,000 records/s until 360 s, 2,000 from then", async () => {
    const clock = createManualClock();
    const quota = createFirehoseQuota({ config: firehoseConfigSchema.parse({ quotaEra: 'v2' }), region: 'us-east-2', clock, weight: 1, metrics: new MetricsStore(clock, 120) });
    const target = await startEmbedded({ middleware: [quota.middleware] });
    const aws = createAwsClients(target);
    try {
      await aws.s3.send(new CreateBucketCommand({ Bucket: 'sink' }));
      await aws.firehose.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: 'ramp',
          DeliveryStreamType: 'DirectPut',
          ExtendedS3DestinationConfiguration: { RoleARN: 'arn:aws:iam::000000000000:role/f', BucketARN: 'arn:aws:s3:::sink', BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 } },
        }),
      );
      const failedOf = async (calls: number) => {
        let failed = 0;
        for (let c = 0; c < calls; c++) failed += (await aws.firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'ramp', Records: Array.from({ length: 500 }, () => ({ Data: Buffer.from('{}\n') })) }))).FailedPutCount ?? 0;
        return failed;
      };
      expect(await failedOf(3)).toBe(500);
      clock.set(359);
      expect(await failedOf(4)).toBe(1_000);
      clock.set(360);
      expect(await failedOf(4)).toBe(0);
      expect(quota.limitsOf('ramp')?.records).toBe(2_000);
    } finally {
      aws.destroy();
      await target.stop();
    }
  });
});
