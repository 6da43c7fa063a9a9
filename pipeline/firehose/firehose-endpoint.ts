/**
 * A Firehose Direct PUT → S3 endpoint of ours, speaking the AWS JSON 1.1 protocol (`Firehose_20150804.*`) for the
 * operations the pipeline and its clean-up use. Unlike LocalStack's, which writes one object per call
 * (emulators-and-peers.md §1), it honours BufferingHints; objects go to S3 through the S3 SDK client, so they land
 * wherever the edge routes S3 and pass through the same gateway.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { awsJsonError, jsonResponse, type EdgeBackend, type EdgeRequest, type EdgeResponse } from '../edge/edge-types.ts';
import { DeliveryBuffer, emptyCounts, type DeliveryCounts } from './delivery-buffer.ts';

/** PutRecordBatch limits (aws-reference.md §5): 500 records, 4 MiB per call, 1,000 KiB per record before base64. */
export const FIREHOSE_LIMITS = { batchRecords: 500, batchBytes: 4 * 1_048_576, recordBytes: 1_024_000 } as const;
/** BufferingHints ranges in the current API (§5): size 1–128 MiB (default 5), interval 0–900 s (default 300). */
const HINTS = { minMb: 1, maxMb: 128, defaultMb: 5, minSeconds: 0, maxSeconds: 900, defaultSeconds: 300 } as const;
const ACCOUNT = '000000000000';
const NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,64}$/;

export interface FirehoseEndpointOptions {
  region?: string;
  /** The S3 client objects are written with; a function because the edge URL is known only once the edge listens. */
  s3: () => S3Client;
  /**
   * Scenario seconds per wall second for the interval timer (default 1). IntervalInSeconds cannot go below 60 s on
   * AWS consoles and 0 in the current API, so tests and scenario replays shorten it with this instead of hints AWS
   * would refuse. A function, so the gateway's scenario clock can be read live.
   */
  timeScale?: number | (() => number);
  /** How long a failing S3 write is retried before it goes to the error output prefix (AWS: 24 h, §5). Default 60 s. */
  retryWindowMs?: number;
  now?: () => number;
  /**
   * Keep delivery stream definitions in this JSON file, so a restart with the same `--data-dir` finds them again.
   * Buffered records are not kept: stop() delivers them to S3 first.
   */
  stateFile?: string;
}

interface StreamState {
  name: string;
  arn: string;
  created: number;
  tags: Array<{ Key: string; Value?: string }>;
  /** The CreateDeliveryStream input, kept for the state file. */
  input: Record<string, unknown>;
  destination: Record<string, unknown>;
  buffer: DeliveryBuffer;
}

export interface FirehoseEndpoint {
  /** The edge backend for the `firehose` service. */
  handler: EdgeBackend;
  /** Counts per delivery stream, for the audit (deleted streams keep theirs). */
  counts(): Record<string, DeliveryCounts>;
  totals(): DeliveryCounts;
  /** Flushes every buffer and waits for the S3 writes: nothing buffered is lost at shutdown. */
  stop(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export function createFirehoseEndpoint(options: FirehoseEndpointOptions): FirehoseEndpoint {
  const region = options.region ?? 'us-east-1';
  const scale = options.timeScale ?? 1;
  const runtime = {
    s3: options.s3,
    now: options.now ?? Date.now,
    timeScale: typeof scale === 'function' ? scale : () => scale,
    retryWindowMs: options.retryWindowMs ?? 60_000,
  };
  const streams = new Map<string, StreamState>();
  const save = () => {
    if (!options.stateFile) return;
    const saved = [...streams.values()].map((s) => ({ input: s.input, created: s.created }));
    mkdirSync(dirname(options.stateFile), { recursive: true });
    writeFileSync(options.stateFile + '.tmp', JSON.stringify(saved, null, 2));
    renameSync(options.stateFile + '.tmp', options.stateFile);
  };
  const retired: DeliveryCounts[] = [];
  const retiredByName = new Map<string, DeliveryCounts>();

  const get = (name: unknown): StreamState => {
    const stream = typeof name === 'string' ? streams.get(name) : undefined;
    if (!stream) throw new ApiError('ResourceNotFoundException', `Firehose ${String(name)} under account ${ACCOUNT} not found.`);
    return stream;
  };

  const operations: Record<string, (input: Record<string, unknown>) => Promise<unknown> | unknown> = {
    CreateDeliveryStream(input) {
      const name = input['DeliveryStreamName'];
      if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
        throw validation(`Value '${String(name)}' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and length 1-64`);
      }
      const type = input['DeliveryStreamType'] ?? 'DirectPut';
      if (type !== 'DirectPut') throw new ApiError('InvalidArgumentException', `DeliveryStreamType ${String(type)} is not supported by ingestlab's Firehose (DirectPut only)`);
      const extended = input['ExtendedS3DestinationConfiguration'] as Record<string, unknown> | undefined;
      const plain = input['S3DestinationConfiguration'] as Record<string, unknown> | undefined;
      const dest = extended ?? plain;
      const field = extended ? 'extendedS3DestinationConfiguration' : 's3DestinationConfiguration';
      if (!dest) throw new ApiError('InvalidArgumentException', 'ingestlab\'s Firehose delivers to S3 only: give ExtendedS3DestinationConfiguration or S3DestinationConfiguration');
      if (typeof dest['RoleARN'] !== 'string' || !dest['RoleARN']) throw validation(`Value null at '${field}.roleARN' failed to satisfy constraint: Member must not be null`);
      const bucketArn = dest['BucketARN'];
      const bucket = typeof bucketArn === 'string' ? /^arn:[^:]+:s3:::([^/]+)$/.exec(bucketArn)?.[1] : undefined;
      if (!bucket) throw validation(`Value '${String(bucketArn)}' at '${field}.bucketARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:.*:s3:::[^/]+`);
      const hints = (dest['BufferingHints'] ?? {}) as Record<string, unknown>;
      const sizeInMBs = hints['SizeInMBs'] ?? HINTS.defaultMb;
      const intervalInSeconds = hints['IntervalInSeconds'] ?? HINTS.defaultSeconds;
      checkRange(sizeInMBs, HINTS.minMb, HINTS.maxMb, `${field}.bufferingHints.sizeInMBs`);
      checkRange(intervalInSeconds, HINTS.minSeconds, HINTS.maxSeconds, `${field}.bufferingHints.intervalInSeconds`);
      if (streams.has(name)) throw new ApiError('ResourceInUseException', `Firehose ${name} under accountId ${ACCOUNT} already exists`);
      const prefix = typeof dest['Prefix'] === 'string' ? dest['Prefix'] : '';
      // Firehose's default error output: `<error-output-type>/YYYY/MM/dd/HH/`.
      const errorOutputPrefix = typeof dest['ErrorOutputPrefix'] === 'string' ? dest['ErrorOutputPrefix'] : '!{firehose:error-output-type}/';
      const buffer = new DeliveryBuffer(
        { streamName: name, version: 1, bucket, prefix, errorOutputPrefix, sizeInMBs: sizeInMBs as number, intervalInSeconds: intervalInSeconds as number },
        runtime,
      );
      const destination = {
        RoleARN: dest['RoleARN'],
        BucketARN: bucketArn,
        Prefix: prefix,
        ...(typeof dest['ErrorOutputPrefix'] === 'string' ? { ErrorOutputPrefix: dest['ErrorOutputPrefix'] } : {}),
        BufferingHints: { SizeInMBs: sizeInMBs, IntervalInSeconds: intervalInSeconds },
        CompressionFormat: dest['CompressionFormat'] ?? 'UNCOMPRESSED',
        EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' },
      };
      const arn = `arn:aws:firehose:${region}:${ACCOUNT}:deliverystream/${name}`;
      const tags = Array.isArray(input['Tags']) ? (input['Tags'] as StreamState['tags']) : [];
      streams.set(name, { name, arn, created: restoring?.created ?? runtime.now(), tags, input, destination: { extended: Boolean(extended), ...destination }, buffer });
      save();
      return { DeliveryStreamARN: arn };
    },

    DescribeDeliveryStream(input) {
      const stream = get(input['DeliveryStreamName']);
      const { extended, ...dest } = stream.destination;
      return {
        DeliveryStreamDescription: {
          DeliveryStreamName: stream.name,
          DeliveryStreamARN: stream.arn,
          DeliveryStreamStatus: 'ACTIVE',
          DeliveryStreamType: 'DirectPut',
          VersionId: String(stream.buffer.config.version),
          CreateTimestamp: stream.created / 1000,
          Destinations: [
            {
              DestinationId: 'destinationId-000000000001',
              S3DestinationDescription: dest,
              ...(extended ? { ExtendedS3DestinationDescription: dest } : {}),
            },
          ],
          HasMoreDestinations: false,
        },
      };
    },

    ListDeliveryStreams(input) {
      const limit = typeof input['Limit'] === 'number' ? input['Limit'] : 10;
      checkRange(limit, 1, 10_000, 'limit');
      const after = typeof input['ExclusiveStartDeliveryStreamName'] === 'string' ? input['ExclusiveStartDeliveryStreamName'] : '';
      const names = [...streams.keys()].sort().filter((n) => n > after);
      return { DeliveryStreamNames: names.slice(0, limit), HasMoreDeliveryStreams: names.length > limit };
    },

    async DeleteDeliveryStream(input) {
      const stream = get(input['DeliveryStreamName']);
      streams.delete(stream.name);
      save();
      // What was accepted is delivered rather than dropped: deletion is the end of a run, and the audit counts it.
      await stream.buffer.drain();
      retired.push(stream.buffer.counts);
      retiredByName.set(stream.name, stream.buffer.counts);
      return {};
    },

    ListTagsForDeliveryStream(input) {
      const stream = get(input['DeliveryStreamName']);
      return { Tags: stream.tags, HasMoreTags: false };
    },

    TagDeliveryStream(input) {
      const stream = get(input['DeliveryStreamName']);
      for (const tag of (input['Tags'] as StreamState['tags'] | undefined) ?? []) {
        stream.tags = [...stream.tags.filter((t) => t.Key !== tag.Key), tag];
      }
      stream.input = { ...stream.input, Tags: stream.tags };
      save();
      return {};
    },

    PutRecord(input) {
      const stream = get(input['DeliveryStreamName']);
      const record = decodeRecord(input['Record'], 'record.data');
      stream.buffer.add([record]);
      return { RecordId: recordId(), Encrypted: false };
    },

    PutRecordBatch(input) {
      const stream = get(input['DeliveryStreamName']);
      const entries = input['Records'];
      if (!Array.isArray(entries) || entries.length < 1) throw validation(`Value null at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1`);
      if (entries.length > FIREHOSE_LIMITS.batchRecords) {
        throw validation(`Value '[...${entries.length} records]' at 'records' failed to satisfy constraint: Member must have length less than or equal to ${FIREHOSE_LIMITS.batchRecords}`);
      }
      const records = entries.map((e, i) => decodeRecord(e, `records.${i + 1}.member.data`));
      const total = records.reduce((sum, r) => sum + r.length, 0);
      // The 4 MiB check's message as AWS SDKs have surfaced it (osquery#3568); the exception name is UNCONFIRMED.
      if (total > FIREHOSE_LIMITS.batchBytes) throw new ApiError('InvalidArgumentException', 'Records size exceeds 4 MB limit');
      stream.buffer.add(records);
      return { FailedPutCount: 0, Encrypted: false, RequestResponses: records.map(() => ({ RecordId: recordId() })) };
    },
  };

  const handler: EdgeBackend = async (req: EdgeRequest): Promise<EdgeResponse> => {
    const operation = operations[req.operation];
    if (!operation) return awsJsonError(400, 'UnknownOperationException', `ingestlab's Firehose does not implement ${req.operation || 'this request'}`);
    let input: Record<string, unknown>;
    try {
      input = req.body.length ? (JSON.parse(req.body.toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      return awsJsonError(400, 'SerializationException', 'Start of structure or map found where not expected');
    }
    try {
      return jsonResponse(200, await operation(input));
    } catch (error) {
      if (error instanceof ApiError) return awsJsonError(400, error.type, error.message);
      throw error;
    }
  };

  // Definitions saved by an earlier run with the same state file come back as they were created.
  let restoring: { created: number } | undefined;
  if (options.stateFile) {
    let saved: Array<{ input: Record<string, unknown>; created: number }> = [];
    try {
      saved = JSON.parse(readFileSync(options.stateFile, 'utf8')) as typeof saved;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const entry of saved) {
      restoring = entry;
      operations['CreateDeliveryStream']!(entry.input);
    }
    restoring = undefined;
  }

  const all = () => [...streams.values()].map((s) => s.buffer.counts).concat(retired);
  return {
    handler,
    counts() {
      const out: Record<string, DeliveryCounts> = Object.fromEntries(retiredByName);
      for (const s of streams.values()) out[s.name] = s.buffer.counts;
      return out;
    },
    totals() {
      const sum = emptyCounts();
      for (const counts of all()) for (const k of Object.keys(sum) as Array<keyof DeliveryCounts>) sum[k] += counts[k];
      return sum;
    },
    async stop() {
      await Promise.all([...streams.values()].map((s) => s.buffer.drain()));
    },
  };
}

function validation(detail: string): ApiError {
  return new ApiError('ValidationException', `1 validation error detected: ${detail}`);
}

function checkRange(value: unknown, min: number, max: number, path: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw validation(`Value '${String(value)}' at '${path}' failed to satisfy constraint: Member must be an integer`);
  if (value < min) throw validation(`Value '${value}' at '${path}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
  if (value > max) throw validation(`Value '${value}' at '${path}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
}

function decodeRecord(record: unknown, path: string): Buffer {
  const data = (record as { Data?: unknown } | undefined)?.Data;
  if (typeof data !== 'string') throw validation(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > FIREHOSE_LIMITS.recordBytes) {
    throw validation(`Value 'java.nio.HeapByteBuffer[pos=0 lim=${bytes.length} cap=${bytes.length}]' at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${FIREHOSE_LIMITS.recordBytes}`);
  }
  return bytes;
}

// Random bytes for record ids, drawn 512 ids at a time: one randomBytes call per record cost the edge's thread a
// measurable share of each PutRecordBatch of 500.
const ID_BYTES = 56;
let idPool = Buffer.alloc(0);
let idOffset = 0;

/** Firehose record ids are opaque strings of about 220 characters; 112 hex digits keep them unique and cheap. */
function recordId(): string {
  if (idOffset + ID_BYTES > idPool.length) {
    idPool = randomBytes(ID_BYTES * 512);
    idOffset = 0;
  }
  idOffset += ID_BYTES;
  return idPool.toString('hex', idOffset - ID_BYTES, idOffset);
}
