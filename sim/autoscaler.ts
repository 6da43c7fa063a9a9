/**
 * Runs a scaling policy against one scalable target on the virtual clock: every check interval it builds the
 * policy's view from published CloudWatch datapoints, asks `decide`, and passes any action to the service model,
 * which may refuse it (UpdateShardCount rules, DynamoDB decrease quota). Actions and refusals are logged.
 */
import type { EventQueue } from './engine/event-queue.ts';
import type { ActionOutcome, Datapoint, MetricName, ScaledService, ScalingPolicy } from './policies/policy.ts';

export interface ScalingAction {
  atSeconds: number;
  service: ScaledService;
  /** The stream or table scaled. */
  resource: string;
  from: number;
  to: number;
  reason: string;
  /** Set when the service refused the call. */
  refusal?: string;
}

/** What a fallback (kinesis-scaling-utils' SplitShard/MergeShards loop) will do, as planned when it starts. */
export interface FallbackRun {
  /** Operations it makes, one at a time. */
  readonly operations: number;
  /** When the policy's process sees the last one ACTIVE (its call returns). */
  readonly returnsAt: number;
  /** Capacity once it is done. */
  readonly capacityAfter: number;
}

/** What the autoscaler needs from a service model for one resource. */
export interface ScalableTarget {
  readonly service: ScaledService;
  readonly resource: string;
  capacity(): number;
  updating(): boolean;
  unit: Readonly<Record<string, number>>;
  metrics(names: readonly MetricName[]): Partial<Record<MetricName, readonly Datapoint[]>>;
  /** Asks the service for new capacity now; `applied` false with a reason when refused; `activeAt` when applied. */
  request(to: number): { applied: boolean; refusal?: string; activeAt?: number };
  /**
   * kinesis-scaling-utils' fallback (§2.4): reach `to` with SplitShard/MergeShards, one at a time, each issued when
   * the previous one is seen ACTIVE (`seesActiveAt`). Absent when the service has no such operations.
   */
  splitMerge?(
    to: number,
    caps: { readonly minShards?: number | undefined; readonly maxShards?: number | undefined },
    seesActiveAt: (issuedAt: number, activeAt: number) => number,
  ): FallbackRun;
  /** False once the resource no longer exists or no longer needs checks. */
  alive?(): boolean;
}

export const POLICY_METRICS: Record<ScaledService, readonly MetricName[]> = {
  kinesis: ['IncomingBytes', 'IncomingRecords', 'GetRecords.Bytes', 'GetRecords.Records', 'WriteProvisionedThroughputExceeded'],
  dynamodb: ['ConsumedWriteCapacityUnits', 'ConsumedReadCapacityUnits', 'WriteThrottleEvents'],
};

export class Autoscaler<C, S> {
  private state: S;
  private lastOutcome: ActionOutcome | undefined;

  constructor(
    private readonly policy: ScalingPolicy<C, S>,
    private readonly config: C,
    private readonly target: ScalableTarget,
    private readonly log: ScalingAction[],
  ) {
    this.state = policy.initialState(config);
  }

  /**
   * Schedules checks every interval from `start` (the first check is one interval in) until `end`. A policy that
   * blocks until ACTIVE (`seesActiveAt`) sleeps its interval after its call returns, as its loop does.
   */
  start(queue: EventQueue, start: number, end: number): void {
    const interval = this.policy.checkIntervalSeconds(this.config);
    if (!(interval > 0)) throw new RangeError(`policy ${this.policy.name}: check interval must be positive, got ${interval}`);
    const check = (now: number) => {
      if (this.target.alive && !this.target.alive()) return;
      const free = this.check(now);
      if (free + interval <= end) queue.schedule(free + interval, check, 1);
    };
    if (start + interval <= end) queue.schedule(start + interval, check, 1);
  }

  /** One evaluation at `now`; returns when the policy's process is free again (`now` unless it blocked). */
  check(now: number): number {
    const target = this.target;
    const decision = this.policy.decide({
      now,
      capacity: target.capacity(),
      updating: target.updating(),
      unit: target.unit,
      metrics: target.metrics(POLICY_METRICS[target.service]),
      config: this.config,
      state: this.state,
      ...(this.lastOutcome ? { lastOutcome: this.lastOutcome } : {}),
    });
    this.state = decision.state;
    const action = decision.action;
    if (action.kind !== 'scale') return now;
    const from = target.capacity();
    const result = target.request(action.to);
    this.log.push({
      atSeconds: now,
      service: target.service,
      resource: target.resource,
      from,
      to: action.to,
      reason: action.reason,
      ...(result.refusal ? { refusal: result.refusal } : {}),
    });
    const sees = this.policy.seesActiveAt?.bind(this.policy);
    let returnedAt = now;
    let fallback: FallbackRun | undefined;
    if (result.applied) {
      if (sees && result.activeAt !== undefined) returnedAt = sees(now, result.activeAt);
    } else if (
      action.onRefusal?.kind === 'split-merge' &&
      target.splitMerge &&
      /^(InvalidArgumentException|LimitExceededException)/.test(result.refusal ?? '')
    ) {
      // The refusal is caught and the target reached the slow way (StreamScaler.updateShardCount, §2.4).
      fallback = target.splitMerge(action.to, action.onRefusal, sees ?? ((issuedAt) => issuedAt));
      returnedAt = fallback.returnsAt;
    }
    this.lastOutcome = {
      atSeconds: now,
      from,
      to: action.to,
      applied: result.applied,
      ...(result.refusal ? { refusal: result.refusal } : {}),
      returnedAt,
      ...(fallback ? { fallbackOperations: fallback.operations, capacityAfter: fallback.capacityAfter } : {}),
    };
    if (this.policy.afterAction) this.state = this.policy.afterAction(this.state, this.lastOutcome, this.config);
    return sees ? returnedAt : now;
  }
}
