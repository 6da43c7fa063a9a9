/**
 * The contract every scaling policy meets, bundled or user-written. A policy is a pure function of what it can see
 * (CloudWatch datapoints that have been published, the capacity the service reports, its own state) to an action.
 * The simulator calls `decide` every `checkIntervalSeconds`; the same module could drive a real autoscaler.
 */
import type { z } from 'zod';

export type ScaledService = 'kinesis' | 'dynamodb';

/** One published CloudWatch datapoint: the Sum over the minute that starts at `minute` (seconds since run start). */
export interface Datapoint {
  readonly minute: number;
  readonly sum: number;
}

/**
 * Metric names as AWS publishes them.
 * Kinesis (stream level, §1.5): IncomingBytes, IncomingRecords, GetRecords.Bytes, GetRecords.Records,
 *   WriteProvisionedThroughputExceeded.
 * DynamoDB (per table, §3.3): ConsumedWriteCapacityUnits, ConsumedReadCapacityUnits, WriteThrottleEvents.
 */
export type MetricName =
  | 'IncomingBytes'
  | 'IncomingRecords'
  | 'GetRecords.Bytes'
  | 'GetRecords.Records'
  | 'WriteProvisionedThroughputExceeded'
  | 'ConsumedWriteCapacityUnits'
  | 'ConsumedReadCapacityUnits'
  | 'WriteThrottleEvents';

/** What happened to the policy's previous action, so a policy can react to refusals. */
export interface ActionOutcome {
  readonly atSeconds: number;
  readonly from: number;
  readonly to: number;
  readonly applied: boolean;
  /** Why the service refused, e.g. "UpdateShardCount: target above 2x current". */
  readonly refusal?: string;
}

export interface PolicyView<Config, State> {
  /** Seconds since the start of the run. */
  readonly now: number;
  /** Capacity the service reports now: open shards (Kinesis) or provisioned WCU (DynamoDB). */
  readonly capacity: number;
  /** True while a capacity update is in progress (stream UPDATING, table UPDATING). */
  readonly updating: boolean;
  /**
   * Capacity of one unit, for utilisation arithmetic. Kinesis shard: writeBytes 1,048,576 B/s, writeRecords 1,000 rec/s,
   * readBytes 2,097,152 B/s, readRecords 2,000 rec/s (§1.1, §2.2). DynamoDB: 1 (one WCU is one unit).
   */
  readonly unit: Readonly<Record<string, number>>;
  /** Published datapoints, oldest first, only those CloudWatch has made visible by `now`. */
  readonly metrics: Readonly<Partial<Record<MetricName, readonly Datapoint[]>>>;
  readonly config: Config;
  readonly state: State;
  readonly lastOutcome?: ActionOutcome;
}

export type PolicyAction =
  | { readonly kind: 'none'; readonly reason?: string }
  | {
      readonly kind: 'scale';
      /** Target capacity (shards or WCU). */
      readonly to: number;
      /** One line for the action log: which rule fired and on what numbers. */
      readonly reason: string;
    };

export interface PolicyDecision<State> {
  readonly action: PolicyAction;
  readonly state: State;
}

/** A scaling policy module. Bundled ones are registered in `sim/policies/index.ts`; users export one as default. */
export interface ScalingPolicy<Config = unknown, State = unknown> {
  readonly name: string;
  readonly service: ScaledService;
  /** Validates the scenario's policy section (`policy` key included) and fills defaults; its errors become file:line:col errors. */
  readonly configSchema: z.ZodType<Config>;
  checkIntervalSeconds(config: Config): number;
  initialState(config: Config): State;
  decide(view: PolicyView<Config, State>): PolicyDecision<State>;
}
