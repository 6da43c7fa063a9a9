/**
 * What an aws-target run creates carries its run prefix (`ingestlab-<runid>-`) and, where the service can tag, the tag
 * `ingestlab/run=<runid>` (see RUN_TAG). Clean-up finds both and removes them: streams (ListStreams + ListTagsForStream), tables
 * (ListTables + ListTagsOfResource), delivery streams (ListDeliveryStreams + ListTagsForDeliveryStream) and buckets
 * (ListBuckets by prefix, emptied first). Nothing without the prefix or the tag is touched.
 */
import { randomBytes } from 'node:crypto';
import { UsageError } from '../sim/errors.ts';
import {
  AddTagsToStreamCommand,
  DeleteStreamCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import {
  DeleteTableCommand,
  DescribeTableCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  TagResourceCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteDeliveryStreamCommand,
  ListDeliveryStreamsCommand,
  ListTagsForDeliveryStreamCommand,
  TagDeliveryStreamCommand,
  type FirehoseClient,
} from '@aws-sdk/client-firehose';
import { DeleteBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, ListBucketsCommand, ListObjectsV2Command, PutBucketTaggingCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * The run tag's key. `ingestlab/run` rather than `ingestlab:run`: Kinesis tag keys allow only letters, digits, spaces
 * and `_ . / = + - % @` (kinesalite answers InvalidArgumentException for `:`, as Kinesis does), and one key serves all.
 */
export const RUN_TAG = 'ingestlab/run';
/** `r` and nine base-36 characters: distinctive enough that `ingestlab-<runid>-` is never a name someone else chose. */
const RUN_ID = /^r[a-z0-9]{9}$/;

export function newRunId(): string {
  const n = BigInt('0x' + randomBytes(8).toString('hex'));
  return 'r' + n.toString(36).padStart(9, '0').slice(-9);
}

/** The name prefix of a run's resources. */
export function runPrefix(runId: string): string {
  if (!RUN_ID.test(runId)) throw new UsageError(`run id ${JSON.stringify(runId)} is not of the form r + 9 of [a-z0-9]`);
  return `ingestlab-${runId}-`;
}

/** Which run a name belongs to, if it carries a run prefix. */
export function runIdOfName(name: string): string | undefined {
  const m = /^ingestlab-(r[a-z0-9]{9})-/.exec(name);
  return m?.[1];
}

export interface CleanupClients {
  kinesis: KinesisClient;
  dynamodb: DynamoDBClient;
  firehose: FirehoseClient;
  s3: S3Client;
}

export interface RunResources {
  streams?: string[];
  tables?: string[];
  deliveryStreams?: string[];
  buckets?: string[];
}

/** Tags what a run created, right after it created it (a crash before this still leaves the prefix to find it by). */
export async function tagRunResources(aws: CleanupClients, runId: string, resources: RunResources): Promise<void> {
  const tags = [{ Key: RUN_TAG, Value: runId }];
  for (const StreamName of resources.streams ?? []) await aws.kinesis.send(new AddTagsToStreamCommand({ StreamName, Tags: { [RUN_TAG]: runId } }));
  for (const TableName of resources.tables ?? []) {
    const arn = (await aws.dynamodb.send(new DescribeTableCommand({ TableName }))).Table?.TableArn;
    if (arn) await aws.dynamodb.send(new TagResourceCommand({ ResourceArn: arn, Tags: tags }));
  }
  for (const DeliveryStreamName of resources.deliveryStreams ?? []) await aws.firehose.send(new TagDeliveryStreamCommand({ DeliveryStreamName, Tags: tags }));
  for (const Bucket of resources.buckets ?? []) {
    // s3rver (the embedded S3) answers NotImplemented; clean-up finds buckets by their prefix alone anyway.
    await aws.s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: tags } })).catch((error: Error) => {
      if (error.name !== 'NotImplemented') throw error;
    });
  }
}

export interface CleanupOptions {
  /** Only this run's resources; every run's when absent. */
  runId?: string;
  /** List what would go without removing it. */
  dryRun?: boolean;
}

export interface CleanupReport {
  streams: string[];
  tables: string[];
  deliveryStreams: string[];
  buckets: string[];
  /** Objects removed from the buckets before they were deleted. */
  objects: number;
  /** Resources found but not removed, with the reason. */
  failed: Array<{ resource: string; error: string }>;
}

export async function cleanupRuns(aws: CleanupClients, options: CleanupOptions = {}): Promise<CleanupReport> {
  if (options.runId !== undefined) runPrefix(options.runId);
  const ours = (name: string, tagValue: string | undefined) => {
    const run = runIdOfName(name) ?? tagValue;
    return run !== undefined && (options.runId === undefined || run === options.runId);
  };
  const report: CleanupReport = { streams: [], tables: [], deliveryStreams: [], buckets: [], objects: 0, failed: [] };
  const attempt = async (resource: string, remove: () => Promise<unknown>): Promise<boolean> => {
    if (options.dryRun) return true;
    try {
      await remove();
      return true;
    } catch (error) {
      report.failed.push({ resource, error: `${(error as Error).name}: ${(error as Error).message}` });
      return false;
    }
  };

  for (const name of await listStreams(aws.kinesis)) {
    const tags = runIdOfName(name) ? undefined : await aws.kinesis.send(new ListTagsForStreamCommand({ StreamName: name })).then((r) => r.Tags ?? [], () => []);
    if (!ours(name, tags?.find((t) => t.Key === RUN_TAG)?.Value)) continue;
    if (await attempt(`stream ${name}`, () => aws.kinesis.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true })))) report.streams.push(name);
  }

  for (const name of await listTables(aws.dynamodb)) {
    let tag: string | undefined;
    if (!runIdOfName(name)) {
      const arn = await aws.dynamodb.send(new DescribeTableCommand({ TableName: name })).then((r) => r.Table?.TableArn, () => undefined);
      const tags = arn ? await aws.dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: arn })).then((r) => r.Tags ?? [], () => []) : [];
      tag = tags.find((t) => t.Key === RUN_TAG)?.Value;
    }
    if (!ours(name, tag)) continue;
    if (await attempt(`table ${name}`, () => aws.dynamodb.send(new DeleteTableCommand({ TableName: name })))) report.tables.push(name);
  }

  for (const name of await listDeliveryStreams(aws.firehose)) {
    const tags = runIdOfName(name)
      ? undefined
      : await aws.firehose.send(new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: name })).then((r) => r.Tags ?? [], () => []);
    if (!ours(name, tags?.find((t) => t.Key === RUN_TAG)?.Value)) continue;
    if (await attempt(`delivery stream ${name}`, () => aws.firehose.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: name, AllowForceDelete: true })))) {
      report.deliveryStreams.push(name);
    }
  }

  // Bucket names are global: only the prefix is trusted here, never a tag read from a bucket of any name.
  const buckets = (await aws.s3.send(new ListBucketsCommand({}))).Buckets ?? [];
  for (const { Name: name } of buckets) {
    if (!name || !ours(name, undefined)) continue;
    const removed = await attempt(`bucket ${name}`, async () => {
      report.objects += await emptyBucket(aws.s3, name);
      await aws.s3.send(new DeleteBucketCommand({ Bucket: name }));
    });
    if (removed) report.buckets.push(name);
  }
  return report;
}

async function listStreams(kinesis: KinesisClient): Promise<string[]> {
  const names: string[] = [];
  let more = true;
  while (more) {
    const page = await kinesis.send(new ListStreamsCommand(names.length ? { ExclusiveStartStreamName: names.at(-1)! } : {}));
    names.push(...(page.StreamNames ?? []));
    more = Boolean(page.HasMoreStreams) && (page.StreamNames?.length ?? 0) > 0;
  }
  return names;
}

async function listTables(dynamodb: DynamoDBClient): Promise<string[]> {
  const names: string[] = [];
  let start: string | undefined;
  do {
    const page = await dynamodb.send(new ListTablesCommand(start ? { ExclusiveStartTableName: start } : {}));
    names.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start);
  return names;
}

async function listDeliveryStreams(firehose: FirehoseClient): Promise<string[]> {
  const names: string[] = [];
  let more = true;
  while (more) {
    const page = await firehose.send(new ListDeliveryStreamsCommand({ Limit: 100, ...(names.length ? { ExclusiveStartDeliveryStreamName: names.at(-1)! } : {}) }));
    names.push(...(page.DeliveryStreamNames ?? []));
    more = Boolean(page.HasMoreDeliveryStreams) && (page.DeliveryStreamNames?.length ?? 0) > 0;
  }
  return names;
}

/** Deletes every object: DeleteObjects by 1,000, or one call each where an S3 (an emulator) refuses the batch call. */
async function emptyBucket(s3: S3Client, bucket: string): Promise<number> {
  let removed = 0;
  let batch = true;
  for (;;) {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (page.Contents ?? []).map((o) => o.Key!).filter(Boolean);
    if (keys.length === 0) return removed;
    if (batch) {
      try {
        const out = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
        if ((out.Errors ?? []).length > 0) throw new Error(out.Errors![0]!.Message ?? 'DeleteObjects failed');
        removed += keys.length;
        continue;
      } catch {
        batch = false;
      }
    }
    for (const Key of keys) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
    removed += keys.length;
  }
}
