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
  | 'WriteThrottleEvents'
  | 'ReadThrottleEvents';

/** What happened to the policy's previous action, so a policy can react to refusals. */
export interface ActionOutcome {
  readonly atSeconds: number;
  readonly from: number;
  readonly to: number;
  readonly applied: boolean;
  /** Why the service refused, e.g. "UpdateShardCount: target above 2x current". */
  readonly refusal?: string;
  /**
   * When the scaling call returned to the policy's process: later than `atSeconds` for a policy that blocks until the
   * service is ACTIVE again (`blocksUntilActive`), e.g. kinesis-scaling-utils.
   */
  readonly returnedAt?: number;
  /** Operations made by the policy's fallback after the refusal (kinesis-scaling-utils: SplitShard/MergeShards). */
  readonly fallbackOperations?: number;
  /** Capacity once the call returned (after the fallback, if any). */
  readonly capacityAfter?: number;
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
      /**
       * What the policy's process does when the service refuses (InvalidArgument or LimitExceeded): kinesis-scaling-utils
       * reaches the target with SplitShard/MergeShards one at a time (§2.4), stopping at its min/max shard count.
       */
      readonly onRefusal?: { readonly kind: 'split-merge'; readonly minShards?: number | undefined; readonly maxShards?: number | undefined };
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
  /**
   * For a policy whose process waits inside the scaling call until the service is ACTIVE again (kinesis-scaling-utils,
   * §2.4): when it sees ACTIVE, given when the call was made and when the service became ACTIVE. No check runs while it
   * waits, and the next check comes `checkIntervalSeconds` after the call returned. Absent: the call returns at once.
   */
  seesActiveAt?(issuedAt: number, activeAt: number): number;
  /** Called once a scale action's call has returned (see `ActionOutcome`); returns the state for the next check. */
  afterAction?(state: State, outcome: ActionOutcome, config: Config): State;
}
