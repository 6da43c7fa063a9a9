/**
 * Per-record size limits behind the ingest API. An event larger than a Kinesis record (1 MiB of data blob plus its
 * partition key, aws-reference §1.1; the opt-in 10 MiB records are not modelled) or a Firehose record (1,000 KiB
 * before base64, §5) cannot go through the pipeline: the ingest API refuses it (4xx) instead of accepting an event
 * it cannot store, so it is counted as rejected, with this reason, and never as accepted.
 */
import { cumulativeStdNormalProbability } from 'simple-statistics';
import type { SizeStats } from './event-size.ts';

export const RECORD_LIMITS = {
  /** Kinesis: data blob before base64 plus partition key (§1.1). */
  kinesisBytes: 1_048_576,
  /** Firehose: record before base64 (§5). */
  firehoseBytes: 1_000 * 1024,
} as const;

/** Largest event (bytes) the pipeline can carry with a partition key of `keyBytes`. */
export function maxEventBytes(keyBytes: number): number {
  return Math.min(RECORD_LIMITS.kinesisBytes - keyBytes, RECORD_LIMITS.firehoseBytes);
}

/** Share of a group's events too large for the pipeline, from its size distribution. */
export function oversizeShare(size: SizeStats, keyBytes: number): number {
  const limit = maxEventBytes(keyBytes);
  return size.maxBytes <= limit ? 0 : size.expect((bytes) => (bytes > limit ? 1 : 0));
}

/**
 * Share of a group's requests (batches of `batchSize` events) over the API's payload cap (10 MB, §6): exact for one
 * event a request; for more, the sum of the batch is taken as normal (mean n·μ, variance n·σ²), the central limit
 * theorem's approximation. Constant sizes give 0 or 1.
 */
export function payloadOverShare(size: SizeStats, batchSize: number, capBytes: number): number {
  if (batchSize <= 1) return size.maxBytes <= capBytes ? 0 : size.expect((bytes) => (bytes > capBytes ? 1 : 0));
  const mean = batchSize * size.meanBytes;
  const variance = batchSize * Math.max(0, size.expect((b) => b * b) - size.meanBytes * size.meanBytes);
  if (variance < 1e-9 || batchSize * size.maxBytes <= capBytes) return mean > capBytes ? 1 : 0;
  return 1 - cumulativeStdNormalProbability((capBytes - mean) / Math.sqrt(variance));
}
