/**
 * Per-record size limits behind the ingest API. An event larger than a Kinesis record (1 MiB of data blob plus its
 * partition key, aws-reference §1.1; the opt-in 10 MiB records are not modelled) or a Firehose record (1,000 KiB
 * before base64, §5) cannot go through the pipeline: the ingest API refuses it (4xx) instead of accepting an event
 * it cannot store, so it is counted as rejected, with this reason, and never as accepted.
 */
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
