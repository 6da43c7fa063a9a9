import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateDeliveryStreamCommand,
  DeleteDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { startEmbedded, type EmbeddedTarget } from '../targets/embedded.ts';
import { createAwsClients, type AwsClients } from '../aws-clients.ts';
import type { EdgeMiddleware } from '../edge/edge-types.ts';
import { firehoseObjectKey } from './object-key.ts';

const MB = 1_000_000;
/** 120 scenario seconds per wall second: IntervalInSeconds 60 fires after 0.5 s of wall time. */
const TIME_SCALE = 120;

/** Fails S3 writes under `fail/` as S3 does when it is overloaded, to drive the retry and error-output path. */
const failS3Under: EdgeMiddleware = async (req, next) => {
  if (req.service === 's3' && req.method === 'PUT' && req.url.startsWith('/sink/fail/')) {
    return { status: 503, headers: { 'content-type': 'application/xml' }, body: Buffer.from('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>') };
  }
  return next(req);
};

function destination(prefix: string, hints: { SizeInMBs: number; IntervalInSeconds: number }, errorOutputPrefix?: string) {
  return {
    RoleARN: 'arn:aws:iam::000000000000:role/firehose',
    BucketARN: 'arn:aws:s3:::sink',
    Prefix: prefix,
    ...(errorOutputPrefix ? { ErrorOutputPrefix: errorOutputPrefix } : {}),
    BufferingHints: hints,
  };
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Firehose endpoint: buffering hints, key layout, limits, through the SDK and the edge', () => {
  let target: EmbeddedTarget;
  let aws: AwsClients;
  beforeAll(async () => {
    target = await startEmbedded({ middleware: [failS3Under], firehose: { timeScale: TIME_SCALE, retryWindowMs: 300 } });
    aws = createAwsClients(target);
    await aws.s3.send(new CreateBucketCommand({ Bucket: 'sink' }));
  });
  afterAll(async () => {
    aws?.destroy();
    await target?.stop();
  });

  const list = async (prefix: string) =>
    ((await aws.s3.send(new ListObjectsV2Command({ Bucket: 'sink', Prefix: prefix }))).Contents ?? []).map((o) => ({ key: o.Key!, size: o.Size! }));
  const read = async (key: string) => (await aws.s3.send(new GetObjectCommand({ Bucket: 'sink', Key: key })).then((r) => r.Body!.transformToByteArray())).length;

  it('a 1 MiB buffer flushes before the record that would overflow it: 25 × 100 kB make two objects of 10 records, 5 stay', async () => {
    await aws.firehose.send(new CreateDeliveryStreamCommand({
      DeliveryStreamName: 'by-size',
      ExtendedS3DestinationConfiguration: destination('size/', { SizeInMBs: 1, IntervalInSeconds: 900 }),
    }));
    const records = Array.from({ length: 25 }, (_, i) => ({ Data: Buffer.alloc(100_000, 97 + (i % 26)) }));
    const put = await aws.firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'by-size', Records: records }));
    expect(put.FailedPutCount).toBe(0);
    expect(put.RequestResponses).toHaveLength(25);
    const counts = target.firehose!.counts()['by-size']!;
    await until(() => counts.objects === 2);
    // 10 × 100,000 = 1,000,000 ≤ 1,048,576 < 1,100,000: the 11th record flushes the first ten.
    expect(counts).toMatchObject({ recordsIn: 25, bytesIn: 2_500_000, flushes: 2, flushesBySize: 2, flushesByInterval: 0, deliveredRecords: 20 });
    const objects = await list('size/');
    expect(objects.map((o) => o.size)).toEqual([MB, MB]);
  });

  it('an interval of 60 s at timeScale 120 flushes after 0.5 s, one object of the records concatenated without delimiter', async () => {
    await aws.firehose.send(new CreateDeliveryStreamCommand({
      DeliveryStreamName: 'by-interval',
      ExtendedS3DestinationConfiguration: destination('time/', { SizeInMBs: 5, IntervalInSeconds: 60 }),
    }));
    const before = Date.now();
    await aws.firehose.send(new PutRecordCommand({ DeliveryStreamName: 'by-interval', Record: { Data: Buffer.from('{"a":1}\n') } }));
    await aws.firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'by-interval', Records: [{ Data: Buffer.from('{"b":2}\n') }, { Data: Buffer.from('{"c":3}\n') }] }));
    const counts = target.firehose!.counts()['by-interval']!;
    await until(() => counts.objects === 1);
    // Seen no earlier than the interval after the first put: the flush did not come early.
    expect(Date.now() - before).toBeGreaterThanOrEqual(495);
    expect(counts).toMatchObject({ flushesByInterval: 1, flushesBySize: 0, deliveredRecords: 3, deliveredBytes: 24 });
    const [object] = await list('time/');
    const body = await aws.s3.send(new GetObjectCommand({ Bucket: 'sink', Key: object!.key })).then((r) => r.Body!.transformToString());
    expect(body).toBe('{"a":1}\n{"b":2}\n{"c":3}\n');

    // prefix + YYYY/MM/DD/HH/ + <stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>, UTC, at the first record's arrival.
    const m = /^time\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/by-interval-1-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[0-9a-f-]{36}$/.exec(object!.key);
    expect(m, object!.key).not.toBeNull();
    expect(m!.slice(1, 5)).toEqual(m!.slice(5, 9));
    const stamp = Date.UTC(+m![5]!, +m![6]! - 1, +m![7]!, +m![8]!, +m![9]!, +m![10]!);
    expect(stamp).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(stamp).toBeLessThanOrEqual(before + 1000);
  });

  it('the key layout, by hand: UTC hour folders, zero-padded fields, and timestamp expressions replacing the hour folders', () => {
    const time = Date.UTC(2026, 0, 5, 7, 3, 9, 450);
    expect(firehoseObjectKey({ prefix: 'raw/', streamName: 'events', version: 1, time, random: 'r' })).toBe('raw/2026/01/05/07/events-1-2026-01-05-07-03-09-r');
    expect(firehoseObjectKey({ prefix: '', streamName: 'e', version: 3, time, random: 'r' })).toBe('2026/01/05/07/e-3-2026-01-05-07-03-09-r');
    expect(firehoseObjectKey({ prefix: 'p/!{timestamp:yyyy-MM}/', streamName: 'e', version: 1, time, random: 'r' })).toBe('p/2026-01/e-1-2026-01-05-07-03-09-r');
    expect(firehoseObjectKey({ prefix: 'err/!{firehose:error-output-type}/', streamName: 'e', version: 1, time, random: 'r', errorOutputType: 'delivery-failed' }))
      .toBe('err/delivery-failed/2026/01/05/07/e-1-2026-01-05-07-03-09-r');
  });

  it('S3 writes that keep failing are retried, then written under the error output prefix; nothing is lost', async () => {
    await aws.firehose.send(new CreateDeliveryStreamCommand({
      DeliveryStreamName: 'failing',
      ExtendedS3DestinationConfiguration: destination('fail/', { SizeInMBs: 1, IntervalInSeconds: 0 }, 'errors/!{firehose:error-output-type}/'),
    }));
    await aws.firehose.send(new PutRecordCommand({ DeliveryStreamName: 'failing', Record: { Data: Buffer.from('x\n') } }));
    const counts = target.firehose!.counts()['failing']!;
    await until(() => counts.errorObjects === 1);
    expect(counts.s3Retries).toBeGreaterThan(0);
    expect(counts).toMatchObject({ objects: 0, errorRecords: 1, lostRecords: 0 });
    const [object] = await list('errors/');
    expect(object!.key).toMatch(/^errors\/delivery-failed\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/failing-1-/);
    expect(await read(object!.key)).toBe(2);
    expect(await list('fail/')).toEqual([]);
  });

  it('oversize and unknown calls get AWS errors', async () => {
    await aws.firehose.send(new CreateDeliveryStreamCommand({
      DeliveryStreamName: 'limits',
      ExtendedS3DestinationConfiguration: destination('limits/', { SizeInMBs: 128, IntervalInSeconds: 900 }),
    }));
    const batch = (n: number, size: number) => Array.from({ length: n }, () => ({ Data: Buffer.alloc(size, 120) }));
    const errorOf = (p: Promise<unknown>) => p.then(() => 'no error', (e: Error) => `${e.name}: ${e.message}`);
    expect(await errorOf(aws.firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'limits', Records: batch(501, 1) }))))
      .toMatch(/^ValidationException: .*'records' .*less than or equal to 500/);
    expect(await errorOf(aws.firehose.send(new PutRecordCommand({ DeliveryStreamName: 'limits', Record: { Data: Buffer.alloc(1_024_001) } }))))
      .toMatch(/^ValidationException: .*less than or equal to 1024000/);
    // A record of exactly 1,000 KiB is accepted; five of them (5,120,000 B) pass the 4 MiB call cap.
    expect(await errorOf(aws.firehose.send(new PutRecordCommand({ DeliveryStreamName: 'limits', Record: { Data: Buffer.alloc(1_024_000) } })))).toBe('no error');
    expect(await errorOf(aws.firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'limits', Records: batch(5, 1_024_000) }))))
      .toBe('InvalidArgumentException: Records size exceeds 4 MB limit');
    expect(await errorOf(aws.firehose.send(new PutRecordCommand({ DeliveryStreamName: 'nope', Record: { Data: Buffer.from('x') } }))))
      .toBe('ResourceNotFoundException: Firehose nope under account 000000000000 not found.');
    expect(await errorOf(aws.firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'limits', ExtendedS3DestinationConfiguration: destination('x/', { SizeInMBs: 1, IntervalInSeconds: 60 }) }))))
      .toMatch(/^ResourceInUseException/);
    expect(await errorOf(aws.firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: 'bad-hints', ExtendedS3DestinationConfiguration: destination('x/', { SizeInMBs: 129, IntervalInSeconds: 60 }) }))))
      .toMatch(/^ValidationException: .*sizeInMBs.*less than or equal to 128/);
    expect(target.firehose!.counts()['limits']!.recordsIn).toBe(1);
  });

  it('Describe and List answer in the SDK shapes; Delete delivers what is buffered first', async () => {
    await aws.firehose.send(new CreateDeliveryStreamCommand({
      DeliveryStreamName: 'described',
      ExtendedS3DestinationConfiguration: destination('desc/', { SizeInMBs: 2, IntervalInSeconds: 300 }),
    }));
    const d = (await aws.firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'described' }))).DeliveryStreamDescription!;
    expect(d.DeliveryStreamStatus).toBe('ACTIVE');
    expect(d.DeliveryStreamARN).toBe('arn:aws:firehose:us-east-1:000000000000:deliverystream/described');
    expect(d.CreateTimestamp).toBeInstanceOf(Date);
    expect(d.Destinations?.[0]?.ExtendedS3DestinationDescription?.BufferingHints).toEqual({ SizeInMBs: 2, IntervalInSeconds: 300 });
    const names = (await aws.firehose.send(new ListDeliveryStreamsCommand({ Limit: 100 }))).DeliveryStreamNames;
    expect(names).toEqual(['by-interval', 'by-size', 'described', 'failing', 'limits']);
    const page = await aws.firehose.send(new ListDeliveryStreamsCommand({ Limit: 2, ExclusiveStartDeliveryStreamName: 'by-size' }));
    expect(page).toMatchObject({ DeliveryStreamNames: ['described', 'failing'], HasMoreDeliveryStreams: true });

    await aws.firehose.send(new PutRecordCommand({ DeliveryStreamName: 'described', Record: { Data: Buffer.from('last\n') } }));
    await aws.firehose.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: 'described' }));
    expect(target.firehose!.counts()['described']).toMatchObject({ flushesAtStop: 1, deliveredRecords: 1 });
    expect((await list('desc/')).map((o) => o.size)).toEqual([5]);
  });
});

describe('Firehose endpoint at shutdown', () => {
  it("the embedded target's stop() delivers every buffered record before it closes S3", async () => {
    const written: Array<{ url: string; bytes: number }> = [];
    const watchS3: EdgeMiddleware = async (req, next) => {
      const res = await next(req);
      if (req.service === 's3' && req.method === 'PUT' && req.url.startsWith('/sink/stop/') && res.status === 200) written.push({ url: req.url, bytes: req.body.length });
      return res;
    };
    const target = await startEmbedded({ middleware: [watchS3] });
    const aws = createAwsClients(target);
    try {
      await aws.s3.send(new CreateBucketCommand({ Bucket: 'sink' }));
      await aws.firehose.send(new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'at-stop',
        ExtendedS3DestinationConfiguration: destination('stop/', { SizeInMBs: 128, IntervalInSeconds: 900 }),
      }));
      const records = Array.from({ length: 300 }, (_, i) => ({ Data: Buffer.from(`{"i":${i}}\n`) }));
      await aws.firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'at-stop', Records: records }));
      expect(written).toEqual([]);
    } finally {
      aws.destroy();
      await target.stop();
    }
    const expectedBytes = Array.from({ length: 300 }, (_, i) => `{"i":${i}}\n`.length).reduce((a, b) => a + b, 0);
    expect(written).toHaveLength(1);
    expect(written[0]!.url).toMatch(/^\/sink\/stop\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/at-stop-1-/);
    expect(written[0]!.bytes).toBe(expectedBytes);
    expect(target.firehose!.totals()).toMatchObject({ recordsIn: 300, deliveredRecords: 300, flushesAtStop: 1, lostRecords: 0 });
  });
});
