/**
 * A KCL consumer on a fixed fleet of instances instead of Lambda (the seed's "later a KCL consumer"). KCL gives each
 * shard lease to one worker (record processor), which reads one GetRecords batch at a time, waits
 * `idleTimeBetweenReads` between polls, and processes at `recordsPerSecondPerWorker`. The fleet holds at most
 * `instances × maxLeasesPerInstance` leases; with more shards than that, leases are shared out in turn, which in this
 * per-tick aggregated model is the same total throughput spread over every shard.
 *
 * The queueing, retries of throttled writes, iterator age and parent-before-child reads after a reshard are the
 * Lambda consumer's (lambda.ts), run with PF = 1 and a per-record time of 1 / recordsPerSecondPerWorker. Instances
 * are billed by the hour whether busy or not (sim/pricing: `kcl-fleet-instance-hours`, UNCONFIRMED price).
 */
import { z } from 'zod';
import { duration } from './duration.ts';
import { LambdaConsumer, type LambdaConfig } from './lambda.ts';

/** Every default here is a guess about your workload and instance type (UNCONFIRMED): set yours. */
export const kclConfigSchema = z.strictObject({
  instances: z.number().int().positive().default(2),
  /** KCL `maxLeasesForWorker`: leases one instance holds at most (KCL's default is unlimited). */
  maxLeasesPerInstance: z.number().int().positive().default(1_000),
  /** Records/s one record processor (one lease) handles, writes included. */
  recordsPerSecondPerWorker: z.number().positive().default(1_000),
  /** KCL `maxRecords` per GetRecords call: default 10,000 (§1.1 caps a call at 10,000). */
  maxRecords: z.number().int().min(1).max(10_000).default(10_000),
  /** KCL `idleTimeBetweenReadsInMillis`: default 1 s. */
  idleTimeBetweenReads: duration().default(1),
});
export type KclConfig = z.output<typeof kclConfigSchema>;

/** Leases the fleet can hold. */
export function kclLeaseCapacity(kcl: KclConfig): number {
  return kcl.instances * kcl.maxLeasesPerInstance;
}

/** Per-shard processing rate (records/s): the worker's, shared when there are more shards than leases. */
export function kclShardRate(kcl: KclConfig, shards: number): number {
  return kcl.recordsPerSecondPerWorker * Math.min(1, kclLeaseCapacity(kcl) / Math.max(1, shards));
}

/** The Lambda consumer's config that behaves as one KCL worker per shard. */
export function kclAsConsumerConfig(kcl: KclConfig, lambda: LambdaConfig, shards: number): LambdaConfig {
  return {
    ...lambda,
    batchSize: kcl.maxRecords,
    parallelizationFactor: 1,
    batchWindow: kcl.idleTimeBetweenReads,
    // 1 GB so that "GB-seconds" reads as busy worker-seconds; nothing of it is billed.
    memoryMb: 1024,
    batchMs: 0,
    perRecordMs: 1000 / kclShardRate(kcl, shards),
    // A KCL worker gets GetRecords results, not a Lambda invocation payload: no 6 MB cut.
    maxPayloadBytes: Infinity,
  };
}

export class KclConsumer extends LambdaConsumer {
  constructor(
    private readonly kcl: KclConfig,
    private readonly lambda: LambdaConfig,
    shards: number,
    dt: number,
  ) {
    super(kclAsConsumerConfig(kcl, lambda, shards), shards, dt);
  }

  override reshard(shards: number, kept?: ArrayLike<number>): void {
    this.config = kclAsConsumerConfig(this.kcl, this.lambda, shards);
    super.reshard(shards, kept);
  }
}
