/**
 * The scenario file format: one zod schema, which both validates a parsed YAML document and gives the typed,
 * defaulted `Scenario` the simulator runs. Every service's section comes from its model file in sim/ (each model
 * owns its config, defaults and validation); this file composes them and adds what only the file format needs.
 * Defaults cite aws-reference.md (§ numbers, listed in docs/sources.md) where they are AWS facts; the ones marked
 * UNCONFIRMED there are parameters with a stated default.
 */
import { z } from 'zod';
import { apiGatewayConfigSchema } from '../sim/api-gateway.ts';
import { cloudwatchConfigSchema } from '../sim/cloudwatch.ts';
import { positiveDuration } from '../sim/duration.ts';
import { dynamoDbConfigSchema } from '../sim/dynamodb.ts';
import { expectationsSchema } from '../sim/expectations.ts';
import { faultsConfigSchema } from '../sim/faults.ts';
import { firehoseConfigSchema } from '../sim/firehose.ts';
import { kclConfigSchema } from '../sim/kcl.ts';
import { kinesisConfigSchema, producerConfigSchema } from '../sim/kinesis.ts';
import { lambdaConfigSchema } from '../sim/lambda.ts';
import { queriesConfigSchema } from '../sim/query.ts';
import type { SimulationConfig } from '../sim/simulation-config.ts';
import { tenantGroupSchema } from '../sim/traffic.ts';

/** Sections later features fill in; reserved now so the format stays stable. */
const reserved = z.unknown().optional();

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().default(''),
  seed: z.number().int().default(1),
  duration: positiveDuration('a run'),
  resolution: positiveDuration('a tick (resolution)').default(1),
  region: z.string().default('us-east-1'),
  tenants: z.array(tenantGroupSchema).min(1, 'expected at least one tenant group'),
  /** What applies to every tenant group: `scale` multiplies each group's rate (growth: `--set traffic.scale=2`). */
  traffic: z.strictObject({ scale: z.number().positive().default(1) }).prefault({}),
  apiGateway: apiGatewayConfigSchema.prefault({}),
  kinesis: kinesisConfigSchema.prefault({}),
  producer: producerConfigSchema.prefault({}),
  /** What reads the stream: Lambda (event-source mapping) or a KCL consumer on a fixed fleet (`kcl:`). */
  processor: z.enum(['lambda', 'kcl']).default('lambda'),
  lambda: lambdaConfigSchema.prefault({}),
  kcl: kclConfigSchema.prefault({}),
  dynamodb: dynamoDbConfigSchema.prefault({}),
  firehose: firehoseConfigSchema.prefault({}),
  cloudwatch: cloudwatchConfigSchema.prefault({}),
  /** The read path: query classes over DynamoDB and S3 (Drill), and the processor's schema cache (sim/query.ts). */
  queries: queriesConfigSchema.prefault({}),
  /** AWS misbehaving on purpose, injected by the quota gateway on the real pipeline (docs/pipeline.md); the simulator ignores it. */
  faults: faultsConfigSchema,
  /** k6-style thresholds over summary fields and timeline windows, checked by `ingestlab check` (docs/check.md). */
  expect: expectationsSchema,
  variants: reserved,
});

export type Scenario = z.output<typeof scenarioSchema>;

/** Every parsed scenario is something the simulator can run; a section added here that sim/ reads belongs in SimulationConfig too. */
type Runnable<T extends SimulationConfig> = T;
export type RunnableScenario = Runnable<Scenario>;
