/**
 * The autoscaler runner for the real pipeline: the SAME policy modules as the simulator (bundled, or a user module the
 * scenario names by path), fed as on AWS: per-minute Sums read with the CloudWatch SDK client (from the quota gateway's
 * CloudWatch on the embedded and localstack targets, from CloudWatch itself on aws), the capacity and UPDATING status
 * from DescribeStreamSummary / DescribeTable, and actions applied with UpdateShardCount / UpdateTable. Checks run every
 * `checkIntervalSeconds` of scenario time, as sim/autoscaler.ts schedules them; a policy that blocks until ACTIVE
 * (`seesActiveAt`) waits for the service to be ACTIVE again before its next interval. When UpdateShardCount refuses
 * (InvalidArgument or LimitExceeded) and the policy asks for it (kinesis-scaling-utils' `onRefusal: split-merge`), the
 * target is reached the slow way as the tool does: the simulator's plan (`planSplitMerge`) from the open shards' hash
 * ranges, each SplitShard/MergeShards issued through the SDK when the policy sees the previous one ACTIVE.
 */
import { DescribeStreamSummaryCommand, ListShardsCommand, MergeShardsCommand, SplitShardCommand, UpdateShardCountCommand, type Shard } from '@aws-sdk/client-kinesis';
import { DescribeTableCommand, ListTablesCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { POLICY_METRICS, type ScalingAction } from '../sim/autoscaler.ts';
import type { DynamoDbConfig } from '../sim/dynamodb.ts';
import { SHARD_LIMITS, type KinesisConfig } from '../sim/kinesis.ts';
import { resolveBundledPolicy } from '../sim/policies/index.ts';
import { planSplitMerge, type SplitMergeOp } from '../sim/policies/kinesis-scaling-utils.ts';
import type { ActionOutcome, Datapoint, MetricName, ScaledService, ScalingPolicy } from '../sim/policies/policy.ts';
import type { AwsClients } from './aws-clients.ts';
import { scenarioDate, scenarioSeconds, sleepUntil, type ScenarioClock } from './gateway/scenario-clock.ts';

/** The optional hooks newer policy modules have (blocking until ACTIVE, a state update after each call). */
type Policy = ScalingPolicy<any, any> & {
  seesActiveAt?(issuedAt: number, activeAt: number): number;
  afterAction?(state: any, outcome: ActionOutcome, config: any): any;
};

export interface AutoscalerRunnerOptions {
  scenario: { readonly kinesis: KinesisConfig; readonly dynamodb: DynamoDbConfig };
  clients: Pick<AwsClients, 'kinesis' | 'dynamodb' | 'cloudwatch'>;
  clock: ScenarioClock;
  /** The stream to scale. */
  stream: string;
  /** Which tables to scale (default: the event tables, `events_…`). */
  tables?: (name: string) => boolean;
  /** Bundled policies, plus user modules (loadScenario's `resolvePolicy`). */
  resolvePolicy?: (name: string) => ScalingPolicy<any, any> | undefined;
  /** Minutes of metrics each check reads (policies look back at most an hour). */
  lookbackMinutes?: number;
  onAction?: (action: ScalingAction) => void;
}

export interface AutoscalerRunner {
  /** Every action taken or refused, in order (the simulator's `actions` shape). */
  readonly actions: ScalingAction[];
  /** Errors reading metrics or status (a check that fails is skipped, as the tools skip a failed poll). */
  readonly errors: string[];
  stop(): Promise<void>;
}

interface Target {
  readonly service: ScaledService;
  readonly resource: string;
  readonly namespace: string;
  readonly dimensions: Array<{ Name: string; Value: string }>;
  readonly unit: Readonly<Record<string, number>>;
  status(): Promise<{ capacity: number; updating: boolean }>;
  request(to: number): Promise<{ applied: boolean; refusal?: string }>;
  /**
   * kinesis-scaling-utils' fallback (sim/autoscaler.ts ScalableTarget.splitMerge): reach `to` with SplitShard/MergeShards
   * from `start`, one at a time, each issued when `seesActiveAt` says the policy sees the previous one ACTIVE.
   */
  splitMerge?(
    to: number,
    caps: { readonly minShards?: number | undefined; readonly maxShards?: number | undefined },
    seesActiveAt: (issuedAt: number, activeAt: number) => number,
    start: number,
  ): Promise<{ operations: number; returnsAt: number; capacityAfter: number }>;
}

export function startAutoscaler(options: AutoscalerRunnerOptions): AutoscalerRunner {
  const { scenario, clients, clock } = options;
  const resolve = options.resolvePolicy ?? resolveBundledPolicy;
  const actions: ScalingAction[] = [];
  const errors: string[] = [];
  const abort = new AbortController();
  const loops: Promise<void>[] = [];
  const lookback = (options.lookbackMinutes ?? 180) * 60;

  async function metrics(target: Target, names: readonly MetricName[], now: number): Promise<Partial<Record<MetricName, readonly Datapoint[]>>> {
    const out = await clients.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: scenarioDate(clock, Math.max(0, now - lookback)),
        EndTime: scenarioDate(clock, now),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: names.map((name, i) => ({
          Id: `m${i}`,
          MetricStat: { Metric: { Namespace: target.namespace, MetricName: name, Dimensions: target.dimensions }, Period: 60, Stat: 'Sum' },
        })),
      }),
    );
    const view: Partial<Record<MetricName, Datapoint[]>> = {};
    names.forEach((name, i) => {
      const r = out.MetricDataResults?.find((x) => x.Id === `m${i}`);
      const points = (r?.Timestamps ?? []).map((ts, k) => ({ minute: Math.round(scenarioSeconds(clock, ts)), sum: r!.Values![k]! }));
      view[name] = points.sort((a, b) => a.minute - b.minute);
    });
    return view;
  }

  /** One target's loop: checks every interval of scenario time, as the simulator's Autoscaler schedules them. */
  async function run(policy: Policy, config: unknown, target: Target, start: number): Promise<void> {
    const interval = policy.checkIntervalSeconds(config);
    if (!(interval > 0)) throw new RangeError(`policy ${policy.name}: check interval must be positive, got ${interval}`);
    let state = policy.initialState(config);
    let lastOutcome: ActionOutcome | undefined;
    let due = start + interval;
    while (!abort.signal.aborted) {
      while (!abort.signal.aborted && clock.now() < due) await sleepUntil(clock, due, abort.signal);
      if (abort.signal.aborted) return;
      // The check sees what CloudWatch has published by the time it runs (timers fire late, never early).
      const now = clock.now();
      let free = due;
      try {
        const { capacity, updating } = await target.status();
        const decision = policy.decide({
          now,
          capacity,
          updating,
          unit: target.unit,
          metrics: await metrics(target, POLICY_METRICS[target.service], now),
          config,
          state,
          ...(lastOutcome ? { lastOutcome } : {}),
        });
        state = decision.state;
        const action = decision.action;
        if (action.kind === 'scale') {
          const result = await target.request(action.to);
          const logged: ScalingAction = { atSeconds: now, service: target.service, resource: target.resource, from: capacity, to: action.to, reason: action.reason, ...(result.refusal ? { refusal: result.refusal } : {}) };
          actions.push(logged);
          options.onAction?.(logged);
          let returnedAt = now;
          let fallback: { operations: number; capacityAfter: number } | undefined;
          if (result.applied && policy.seesActiveAt) returnedAt = await waitActive(policy, target, now);
          else if (!result.applied && action.onRefusal?.kind === 'split-merge' && target.splitMerge && /^(InvalidArgumentException|LimitExceededException)/.test(result.refusal ?? '')) {
            // The refusal is caught and the target reached the slow way (StreamScaler.updateShardCount, §2.4).
            const run = await target.splitMerge(action.to, action.onRefusal, policy.seesActiveAt?.bind(policy) ?? ((issuedAt) => issuedAt), now);
            fallback = { operations: run.operations, capacityAfter: run.capacityAfter };
            returnedAt = run.returnsAt;
          }
          lastOutcome = {
            atSeconds: now,
            from: capacity,
            to: action.to,
            applied: result.applied,
            ...(result.refusal ? { refusal: result.refusal } : {}),
            returnedAt,
            ...(fallback ? { fallbackOperations: fallback.operations, capacityAfter: fallback.capacityAfter } : {}),
          };
          if (policy.afterAction) state = policy.afterAction(state, lastOutcome, config);
          if (policy.seesActiveAt || fallback) free = returnedAt;
        }
      } catch (error) {
        errors.push(`${target.resource} at ${Math.round(now)} s: ${(error as Error).message}`);
      }
      due = free + interval;
      // A runner that fell behind (a slow call, a busy machine) skips the checks it missed rather than bunching them.
      while (due + interval <= clock.now()) due += interval;
    }
  }

  /** Polls the service once a scenario second until ACTIVE; the policy says when its process sees it. */
  async function waitActive(policy: Policy, target: Target, issuedAt: number): Promise<number> {
    for (;;) {
      if (abort.signal.aborted) return clock.now();
      if (!(await target.status()).updating) return Math.max(clock.now(), policy.seesActiveAt!(issuedAt, clock.now()));
      await sleepUntil(clock, clock.now() + 1, abort.signal);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  const refusal = (error: unknown) => `${(error as Error).name}: ${(error as Error).message}`;

  const kinesisPolicy = scenario.kinesis.autoscaler;
  if (kinesisPolicy !== 'none' && scenario.kinesis.mode === 'provisioned') {
    const { policy: name, ...rest } = kinesisPolicy;
    const policy = requirePolicy(resolve, name, 'kinesis');
    const target: Target = {
      service: 'kinesis',
      resource: options.stream,
      namespace: 'AWS/Kinesis',
      dimensions: [{ Name: 'StreamName', Value: options.stream }],
      unit: { writeBytes: SHARD_LIMITS.writeBytes, writeRecords: SHARD_LIMITS.writeRecords, readBytes: SHARD_LIMITS.readBytes, readRecords: SHARD_LIMITS.readRecords },
      async status() {
        const s = (await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: options.stream }))).StreamDescriptionSummary!;
        return { capacity: s.OpenShardCount ?? 0, updating: s.StreamStatus === 'UPDATING' };
      },
      async request(to) {
        try {
          await clients.kinesis.send(new UpdateShardCountCommand({ StreamName: options.stream, TargetShardCount: to, ScalingType: 'UNIFORM_SCALING' }));
          return { applied: true };
        } catch (error) {
          return { applied: false, refusal: refusal(error) };
        }
      },
    };
    target.splitMerge = async (to, caps, seesActiveAt, start) => {
      const ops = planSplitMerge((await openShards()).map(rangeOf), to, caps);
      let t = start;
      let shards = (await target.status()).capacity;
      for (const [i, op] of ops.entries()) {
        while (!abort.signal.aborted && clock.now() < t) await sleepUntil(clock, t, abort.signal);
        if (abort.signal.aborted) break;
        const issuedAt = clock.now();
        const from = shards;
        const next = op.kind === 'split' ? from + 1 : from - 1;
        let failed: string | undefined;
        try {
          await issue(op, await openShards());
          shards = next;
        } catch (error) {
          failed = refusal(error);
        }
        const logged: ScalingAction = {
          atSeconds: issuedAt,
          service: 'kinesis',
          resource: options.stream,
          from,
          to: next,
          reason: `kinesis-scaling-utils split/merge fallback, step ${i + 1} of ${ops.length}: ${op.kind === 'split' ? 'SplitShard' : 'MergeShards'} at ${percent(op.at)} of the key space`,
          ...(failed ? { refusal: failed } : {}),
        };
        actions.push(logged);
        options.onAction?.(logged);
        // The tool's loop ends on an exception; the plan no longer matches the shards after a refused step.
        if (failed) {
          t = issuedAt;
          break;
        }
        while (!abort.signal.aborted && (await target.status()).updating) {
          await sleepUntil(clock, clock.now() + 1, abort.signal);
          await new Promise((r) => setTimeout(r, 5));
        }
        t = Math.max(clock.now(), seesActiveAt(issuedAt, clock.now()));
      }
      return { operations: ops.length, returnsAt: t, capacityAfter: (await target.status()).capacity };
    };
    /** SplitShard at the key-space fraction `op.at` inside the open shard holding it, or MergeShards of the two meeting there. */
    const issue = async (op: SplitMergeOp, open: Shard[]): Promise<void> => {
      const key = fractionToKey(op.at);
      if (op.kind === 'split') {
        const shard = open.find((s) => BigInt(s.HashKeyRange!.StartingHashKey!) < key && key <= BigInt(s.HashKeyRange!.EndingHashKey!));
        if (!shard) throw Object.assign(new Error(`no open shard holds ${percent(op.at)} of the key space`), { name: 'InvalidArgumentException' });
        await clients.kinesis.send(new SplitShardCommand({ StreamName: options.stream, ShardToSplit: shard.ShardId!, NewStartingHashKey: key.toString() }));
        return;
      }
      // The boundary nearest the planned one (the plan's fractions are doubles, the hash keys 128-bit integers).
      let best = 1;
      const distance = (k: number) => { const d = BigInt(open[k]!.HashKeyRange!.StartingHashKey!) - key; return d < 0n ? -d : d; };
      for (let k = 2; k < open.length; k++) if (distance(k) < distance(best)) best = k;
      if (open.length < 2) throw Object.assign(new Error('one open shard: nothing to merge'), { name: 'InvalidArgumentException' });
      await clients.kinesis.send(new MergeShardsCommand({ StreamName: options.stream, ShardToMerge: open[best - 1]!.ShardId!, AdjacentShardToMerge: open[best]!.ShardId! }));
    };
    const openShards = async (): Promise<Shard[]> => {
      const shards: Shard[] = [];
      let token: string | undefined;
      do {
        const page = await clients.kinesis.send(new ListShardsCommand(token ? { NextToken: token } : { StreamName: options.stream }));
        shards.push(...(page.Shards ?? []));
        token = page.NextToken;
      } while (token);
      return shards
        .filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined)
        .sort((a, b) => (BigInt(a.HashKeyRange!.StartingHashKey!) < BigInt(b.HashKeyRange!.StartingHashKey!) ? -1 : 1));
    };
    // Checks at multiples of the interval from scenario time 0, as the simulator's run starts at 0.
    loops.push(run(policy, policy.configSchema.parse({ policy: name, ...rest }), target, 0));
  }

  const tableScaling = scenario.dynamodb.autoscaling;
  if (tableScaling !== 'none' && scenario.dynamodb.mode === 'provisioned') {
    const policy = requirePolicy(resolve, tableScaling.policy, 'dynamodb');
    const config = policy.configSchema.parse(tableScaling);
    const wanted = options.tables ?? ((name: string) => name.startsWith('events_'));
    const started = new Set<string>();
    // One loop per table, started when the table appears (the simulator looks for new tables every 60 s too).
    loops.push(
      (async () => {
        let due = clock.now();
        while (!abort.signal.aborted) {
          try {
            const names = (await clients.dynamodb.send(new ListTablesCommand({}))).TableNames ?? [];
            for (const table of names.filter(wanted)) {
              if (started.has(table)) continue;
              started.add(table);
              loops.push(run(policy, config, tableTarget(table), clock.now()));
            }
          } catch (error) {
            errors.push(`ListTables: ${(error as Error).message}`);
          }
          due += 60;
          while (!abort.signal.aborted && clock.now() < due) await sleepUntil(clock, due, abort.signal);
        }
      })(),
    );
  }

  function tableTarget(table: string): Target {
    return {
      service: 'dynamodb',
      resource: table,
      namespace: 'AWS/DynamoDB',
      dimensions: [{ Name: 'TableName', Value: table }],
      unit: { write: 1 },
      async status() {
        const t = (await clients.dynamodb.send(new DescribeTableCommand({ TableName: table }))).Table!;
        return { capacity: t.ProvisionedThroughput?.WriteCapacityUnits ?? 0, updating: t.TableStatus === 'UPDATING' };
      },
      async request(to) {
        try {
          const t = (await clients.dynamodb.send(new DescribeTableCommand({ TableName: table }))).Table!;
          await clients.dynamodb.send(new UpdateTableCommand({ TableName: table, ProvisionedThroughput: { ReadCapacityUnits: t.ProvisionedThroughput?.ReadCapacityUnits ?? 1, WriteCapacityUnits: to } }));
          return { applied: true };
        } catch (error) {
          return { applied: false, refusal: refusal(error) };
        }
      },
    };
  }

  return {
    actions,
    errors,
    async stop() {
      abort.abort();
      await Promise.allSettled(loops);
    },
  };
}

const percent = (x: number): string => `${(x * 100).toFixed(1).replace(/\.0$/, '')}%`;

/** A hash key (0 … 2¹²⁸ − 1) as a fraction of the key space, to 2⁻⁶⁴: what planSplitMerge works in. */
const keyToFraction = (key: bigint): number => Number(key >> 64n) / 2 ** 64;

/** A key-space fraction as a hash key (to 2⁶⁴ of the 2¹²⁸). */
export function fractionToKey(at: number): bigint {
  return BigInt(Math.round(at * 2 ** 64)) << 64n;
}

/** An open shard's hash range as key-space fractions [lo, hi). */
function rangeOf(shard: Shard): { lo: number; hi: number } {
  return { lo: keyToFraction(BigInt(shard.HashKeyRange!.StartingHashKey!)), hi: keyToFraction(BigInt(shard.HashKeyRange!.EndingHashKey!) + 1n) };
}

function requirePolicy(resolve: (name: string) => ScalingPolicy<any, any> | undefined, name: string, service: ScaledService): Policy {
  const policy = resolve(name);
  if (!policy) throw new RangeError(`unknown scaling policy "${name}"`);
  if (policy.service !== service) throw new RangeError(`policy "${name}" scales ${policy.service}, not ${service}`);
  return policy;
}
