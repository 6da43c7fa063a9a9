/**
 * Creates what the pipeline writes to, idempotently: the stream (ACTIVE), the bucket, the delivery stream to it, the
 * schema table. Names are fixed per pipeline (one pipeline per embedded target); the tables of event periods are the
 * processor's to create as time goes on.
 */
import { CreateStreamCommand, DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateDeliveryStreamCommand, DescribeDeliveryStreamCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import { sleep, withRetries } from './backoff.ts';

export interface PipelineNames {
  stream: string;
  deliveryStream: string;
  bucket: string;
  /** Where Firehose writes raw copies in the bucket. */
  firehosePrefix: string;
  leaseTable: string;
  schemaTable: string;
  /** Put before every event table's name (`events_2026_W49`): the aws target's run prefix; none elsewhere. */
  eventTablePrefix?: string;
}

export const DEFAULT_NAMES: PipelineNames = {
  stream: 'ingestlab-events',
  deliveryStream: 'ingestlab-events-to-s3',
  bucket: 'ingestlab-events',
  firehosePrefix: 'events/',
  leaseTable: 'ingestlab_leases',
  schemaTable: 'ingestlab_schemas',
};

/** The role the emulators are given: they check none. */
export const EMULATOR_FIREHOSE_ROLE = 'arn:aws:iam::000000000000:role/ingestlab-firehose';

export async function createStream(kinesis: KinesisClient, name: string, shards: number): Promise<void> {
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
  // Emulators answer ACTIVE at once or within a second; AWS takes a minute or so.
  for (let i = 0; i < 320; i++) {
    const { StreamDescriptionSummary: s } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (s?.StreamStatus === 'ACTIVE') return;
    await sleep(i < 20 ? 50 : 1_000);
  }
  throw new Error(`stream ${name} not ACTIVE after 5 minutes`);
}

/** `region`: give it on AWS outside us-east-1, where CreateBucket needs the region as its LocationConstraint. */
export async function createBucket(s3: S3Client, bucket: string, region?: string): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket, ...(region && region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as never } } : {}) }));
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
}

export async function createDeliveryStream(
  firehose: FirehoseClient,
  names: PipelineNames,
  hints: { bufferSeconds: number; bufferMb: number },
  /** The IAM role Firehose assumes to write to the bucket: required on AWS (ingestlab creates no IAM role); emulators check none. */
  roleArn = EMULATOR_FIREHOSE_ROLE,
): Promise<void> {
  try {
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: names.deliveryStream,
        DeliveryStreamType: 'DirectPut',
        ExtendedS3DestinationConfiguration: {
          RoleARN: roleArn,
          BucketARN: `arn:aws:s3:::${names.bucket}`,
          Prefix: names.firehosePrefix,
          ErrorOutputPrefix: 'firehose-errors/!{firehose:error-output-type}/',
          BufferingHints: { IntervalInSeconds: hints.bufferSeconds, SizeInMBs: hints.bufferMb },
        },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
  // AWS keeps a new delivery stream CREATING for a while, and refuses records until it is ACTIVE.
  for (let i = 0; i < 1_200; i++) {
    const { DeliveryStreamDescription: d } = await withRetries(() => firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: names.deliveryStream })));
    if (d?.DeliveryStreamStatus === 'ACTIVE') return;
    await sleep(i < 20 ? 50 : 1_000);
  }
  throw new Error(`delivery stream ${names.deliveryStream} not ACTIVE after 20 minutes`);
}
