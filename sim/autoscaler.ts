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

/** What the autoscaler needs from a service model for one resource. */
export interface ScalableTarget {
  readonly service: ScaledService;
  readonly resource: string;
  capacity(): number;
  updating(): boolean;
  unit: Readonly<Record<string, number>>;
  metrics(names: readonly MetricName[]): Partial<Record<MetricName, readonly Datapoint[]>>;
  /** Asks the service for new capacity now; `applied` false with a reason when refused. */
  request(to: number): { applied: boolean; refusal?: string };
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

  /** Schedules checks every interval from `start` (the first check is one interval in) until `end`. */
  start(queue: EventQueue, start: number, end: number): void {
    const interval = this.policy.checkIntervalSeconds(this.config);
    if (!(interval > 0)) throw new RangeError(`policy ${this.policy.name}: check interval must be positive, got ${interval}`);
    const check = (now: number) => {
      if (this.target.alive && !this.target.alive()) return;
      this.check(now);
      if (now + interval <= end) queue.schedule(now + interval, check, 1);
    };
    if (start + interval <= end) queue.schedule(start + interval, check, 1);
  }

  /** One evaluation at `now`. */
  check(now: number): void {
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
    if (action.kind !== 'scale') return;
    const from = target.capacity();
    const result = target.request(action.to);
    this.lastOutcome = { atSeconds: now, from, to: action.to, applied: result.applied, ...(result.refusal ? { refusal: result.refusal } : {}) };
    this.log.push({
      atSeconds: now,
      service: target.service,
      resource: target.resource,
      from,
      to: action.to,
      reason: action.reason,
      ...(result.refusal ? { refusal: result.refusal } : {}),
    });
  }
}
