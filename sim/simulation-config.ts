/**
 * What the simulator runs: each service's section is the config its model file owns (schema, defaults,
 * validation there). The scenario file format (scenarios/schema.ts) composes those schemas into this shape and adds
 * what only the file needs; sim/ imports nothing from scenarios/ (design.md, Layout).
 */
import type { ApiGatewayConfig } from './api-gateway.ts';
import type { CloudwatchConfig } from './cloudwatch.ts';
import type { DynamoDbConfig } from './dynamodb.ts';
import type { Expectation } from './expectations.ts';
import type { FirehoseConfig } from './firehose.ts';
import type { KclConfig } from './kcl.ts';
import type { KinesisConfig, ProducerConfig } from './kinesis.ts';
import type { LambdaConfig } from './lambda.ts';
import type { QueriesConfig } from './query.ts';
import type { TenantGroup } from './traffic.ts';

export interface SimulationConfig {
  readonly name: string;
  /** The scenario author's text, shown as written. */
  readonly description: string;
  readonly seed: number;
  /** Seconds simulated (the drain after it only finishes the work). */
  readonly duration: number;
  /** Seconds per tick. */
  readonly resolution: number;
  readonly region: string;
  readonly tenants: readonly TenantGroup[];
  /** `scale` multiplies every group's rate (growth); absent means 1. */
  readonly traffic?: { readonly scale: number };
  readonly apiGateway: ApiGatewayConfig;
  readonly kinesis: KinesisConfig;
  readonly producer: ProducerConfig;
  readonly processor: 'lambda' | 'kcl';
  readonly lambda: LambdaConfig;
  readonly kcl: KclConfig;
  readonly dynamodb: DynamoDbConfig;
  readonly firehose: FirehoseConfig;
  readonly cloudwatch: CloudwatchConfig;
  /** The read path (absent: no queries, no schema lookups). */
  readonly queries?: QueriesConfig;
  readonly expect: readonly Expectation[];
}
