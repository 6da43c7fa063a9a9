/**
 * The quota gateway: what no emulator has (emulators-and-peers.md). Middleware for the edge, outermost first: fault
 * injection, then Kinesis, DynamoDB and Firehose limits from the simulator's own models; and a CloudWatch backend
 * serving the per-minute metrics they publish. Everything runs on one scenario clock (wall × timeScale, or a manual
 * clock in tests) and counts every record with the run's weight (design.md, "One model, two clocks").
 */
import type { CloudwatchConfig } from '../../sim/cloudwatch.ts';
import type { DynamoDbConfig } from '../../sim/dynamodb.ts';
import type { FaultRule } from '../../sim/faults.ts';
import type { FirehoseConfig } from '../../sim/firehose.ts';
import type { KinesisConfig } from '../../sim/kinesis.ts';
import type { EdgeBackend, EdgeMiddleware } from '../edge/edge-types.ts';
import { createCloudWatchBackend } from './cloudwatch-backend.ts';
import { createDynamoDbQuota, type DynamoDbCounters, type DynamoDbQuota } from './dynamodb-quota.ts';
import { createFaultInjection, type FaultCounters } from './fault-injection.ts';
import { createFirehoseQuota, type FirehoseCounters } from './firehose-quota.ts';
import { createKinesisQuota, type KinesisCounters } from './kinesis-quota.ts';
import { MetricsStore } from './metrics-store.ts';
import { createScaledClock, type ScaledClock, type ScenarioClock } from './scenario-clock.ts';
import { checkWeight, isUnmetered } from './weights.ts';
import { DEFAULT_NAMES } from '../storage/provision.ts';

/** The scenario sections the gateway reads (a parsed scenario file has them all). */
export interface GatewayScenario {
  readonly region: string;
  readonly seed?: number;
  readonly kinesis: KinesisConfig;
  readonly dynamodb: DynamoDbConfig;
  readonly firehose: FirehoseConfig;
  readonly cloudwatch: CloudwatchConfig;
  readonly faults?: readonly FaultRule[];
}

export interface QuotaGatewayOptions {
  /** Default: a scaled wall clock at `timeScale`. */
  clock?: ScenarioClock;
  /** Scenario events each sent record stands for, unless a request says otherwise with x-ingestlab-weight. Default 1. */
  weight?: number;
  /**
   * Tables whose writes stand for themselves whatever the weight. Default: the pipeline's own lease and schema tables
   * (their names on embedded and localstack; the gateway never stands in front of aws), whose real volume does not
   * scale with the sample (200 tenants' schemas at weight 100 were 20,000 writes at once).
   */
  unweightedTables?: readonly string[];
  /** Scenario seconds per wall second, when no clock is given. Default 1. */
  timeScale?: number;
  /** Wall ms between checks for reshards and table updates whose delay has passed (default 50; 0: only `poll()`). */
  pollMs?: number;
}

export interface GatewayCounters {
  kinesis: KinesisCounters;
  dynamodb: DynamoDbCounters;
  firehose: FirehoseCounters;
  faults: FaultCounters;
}

export interface QuotaGateway {
  /** For startEdge/startEmbedded, in order: faults, Kinesis, DynamoDB, Firehose. */
  middleware: EdgeMiddleware[];
  backends: { monitoring: EdgeBackend };
  counters: GatewayCounters;
  /** The scenario clock; a scaled one (the default) can `restart()` when the traffic starts. */
  clock: ScenarioClock | ScaledClock;
  metrics: MetricsStore;
  dynamodb: Pick<DynamoDbQuota, 'table'>;
  /** Completes delayed reshards and table updates now (the timer does it every `pollMs`). */
  poll(): Promise<void>;
  close(): void;
}

export function createQuotaGateway(scenario: GatewayScenario, options: QuotaGatewayOptions = {}): QuotaGateway {
  const clock = options.clock ?? createScaledClock({ timeScale: options.timeScale ?? 1 });
  const weight = checkWeight(options.weight ?? 1);
  const metrics = new MetricsStore(clock, scenario.cloudwatch.publishDelay);
  const faults = createFaultInjection(scenario.faults ?? [], { clock, ...(scenario.seed !== undefined ? { seed: scenario.seed } : {}) });
  const kinesis = createKinesisQuota({ config: scenario.kinesis, clock, weight, metrics });
  const unweightedTables = options.unweightedTables ?? [DEFAULT_NAMES.leaseTable, DEFAULT_NAMES.schemaTable];
  const dynamodb = createDynamoDbQuota({ config: scenario.dynamodb, clock, weight, metrics, unweightedTables });
  const firehose = createFirehoseQuota({ config: scenario.firehose, region: scenario.region, clock, weight, metrics });
  const poll = async () => {
    await Promise.all([kinesis.poll(), dynamodb.poll()]);
  };
  const pollMs = options.pollMs ?? 50;
  const timer = pollMs > 0 ? setInterval(() => void poll().catch(() => undefined), pollMs) : undefined;
  timer?.unref();
  return {
    middleware: [faults.middleware, kinesis.middleware, dynamodb.middleware, firehose.middleware].map(
      (metered): EdgeMiddleware => (req, next) => (isUnmetered(req) ? next(req) : metered(req, next)),
    ),
    backends: { monitoring: createCloudWatchBackend(metrics, clock) },
    counters: { kinesis: kinesis.counters, dynamodb: dynamodb.counters, firehose: firehose.counters, faults: faults.counters },
    clock,
    metrics,
    dynamodb: { table: dynamodb.table },
    poll,
    close() {
      if (timer) clearInterval(timer);
    },
  };
}
