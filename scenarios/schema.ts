/**
 * The scenario file format: one zod schema, which both validates a parsed YAML document and gives the typed,
 * defaulted `Scenario` the simulator runs. The sections of the processing and storage services come from their
 * model files (each model owns its config, defaults and validation). Defaults cite ../shared/aws-reference.md (§ numbers) where they are AWS facts;
 * the ones marked UNCONFIRMED there are parameters with a stated default.
 */
import { z } from 'zod';
import { albFleetSchema } from '../sim/api-gateway.ts';
import { cloudwatchConfigSchema } from '../sim/cloudwatch.ts';
import { dynamoDbConfigSchema } from '../sim/dynamodb.ts';
import { expectationsSchema } from '../sim/expectations.ts';
import { firehoseConfigSchema } from '../sim/firehose.ts';
import { kclConfigSchema } from '../sim/kcl.ts';
import { lambdaConfigSchema } from '../sim/lambda.ts';
import { duration } from './duration.ts';

const positive = () => z.number().positive();
const nonNegative = () => z.number().nonnegative();
const count = () => z.number().int().positive();

const sizeDistribution = z.union([
  positive(),
  z.strictObject({
    dist: z.enum(['normal', 'lognormal']),
    mean: positive(),
    sd: nonNegative(),
    /** Sizes are clamped to [min, max]; Kinesis refuses records over 1 MiB by default (§1.1). */
    min: positive().default(1),
    max: positive().default(1_048_576),
  }),
]);

const stage = z.strictObject({ duration: duration(), target: nonNegative() });
const burst = z.strictObject({ at: duration(), duration: duration(), multiplier: nonNegative() });

const tenantGroup = z
  .strictObject({
    name: z.string().min(1),
    count: count().default(1),
    /** Events/s per tenant, constant. */
    rate: nonNegative().optional(),
    /** k6-style linear ramps from the previous target (or `rate`, or 0). */
    stages: z.array(stage).min(1).optional(),
    bursts: z.array(burst).default([]),
    /** Poisson arrivals around the rate, or exactly the rate every tick. */
    noise: z.enum(['poisson', 'none']).default('poisson'),
    /** When the group starts sending. */
    startAt: duration().default(0),
    eventBytes: sizeDistribution.default(512),
    /** Events per API request (the client's multi-put). */
    batchSize: count().max(10_000).default(1),
  })
  .refine((g) => g.rate !== undefined || g.stages !== undefined, {
    message: 'expected `rate` (events/s per tenant) or `stages`, found neither',
  });

const apiGateway = z.strictObject({
  /** REST and HTTP APIs differ in price only in this model (§6); `alb` is a load balancer with a fixed fleet. */
  type: z.enum(['rest', 'http', 'alb']).default('rest'),
  /** The instances behind `type: alb` (ignored otherwise). */
  fleet: albFleetSchema.prefault({}),
  /** Events/s per tenant (a usage-plan token bucket); `none` turns it off. */
  tenantLimit: z.union([positive(), z.literal('none')]).default('none'),
  /** Bucket size per tenant in events; defaults to one second of `tenantLimit`. */
  tenantBurst: positive().optional(),
  /** Account throttle: 10,000 requests/s with a 5,000-request bucket, shared by all APIs (§6). */
  accountRate: positive().default(10_000),
  accountBurst: positive().default(5_000),
  /** Request payload cap, 10 MB, cannot be raised (§6). */
  maxPayloadBytes: positive().default(10_000_000),
  /** Gateway + integration overhead per request. Not in aws-reference.md: UNCONFIRMED, a parameter. */
  latencyMs: nonNegative().default(30),
});


const kinesisAutoscaler = z.union([
  z.literal('none'),
  // The named policy's own schema validates the rest of the section (see scenarios/load.ts).
  z.looseObject({
    /** A bundled policy name or a path to a TypeScript/JavaScript module exporting a policy. */
    policy: z.string().min(1),
  }),
]);

const kinesis = z.strictObject({
  mode: z.enum(['provisioned', 'on-demand']).default('provisioned'),
  shards: count().default(1),
  partitionKey: z.enum(['tenant', 'tenant-timestamp', 'random']).default('tenant-timestamp'),
  /** How long UpdateShardCount keeps the stream UPDATING: "a few minutes" (§1.3), UNCONFIRMED. */
  reshardSeconds: nonNegative().default(180),
  /** UpdateShardCount calls per rolling 24 h: 10 today, 2 before ~2020 (§1.3). */
  updateShardCountPer24h: count().default(10),
  /** Shards per stream reachable by UpdateShardCount: 10,000 today (§1.3). */
  maxShardsPerStream: count().default(10_000),
  autoscaler: kinesisAutoscaler.default('none'),
});

const producer = z.strictObject({
  /** PutRecords retries of failed records; after these the record is dropped. */
  maxRetries: z.number().int().nonnegative().default(3),
  /** Full-jitter exponential backoff, as the AWS SDK v3 standard retry strategy (base 100 ms, cap 20 s). */
  backoffBaseMs: positive().default(100),
  backoffMaxMs: positive().default(20_000),
});

/** Sections later features fill in; reserved now so the format stays stable. */
const reserved = z.unknown().optional();

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().default(''),
  seed: z.number().int().default(1),
  duration: duration(),
  resolution: duration().default(1),
  region: z.string().default('us-east-1'),
  tenants: z.array(tenantGroup).min(1, 'expected at least one tenant group'),
  apiGateway: apiGateway.prefault({}),
  kinesis: kinesis.prefault({}),
  producer: producer.prefault({}),
  /** What reads the stream: Lambda (event-source mapping) or a KCL consumer on a fixed fleet (`kcl:`). */
  processor: z.enum(['lambda', 'kcl']).default('lambda'),
  lambda: lambdaConfigSchema.prefault({}),
  kcl: kclConfigSchema.prefault({}),
  dynamodb: dynamoDbConfigSchema.prefault({}),
  firehose: firehoseConfigSchema.prefault({}),
  cloudwatch: cloudwatchConfigSchema.prefault({}),
  /** k6-style thresholds over summary fields and timeline windows, checked by `ingestlab check` (docs/check.md). */
  expect: expectationsSchema,
  variants: reserved,
});

export type Scenario = z.output<typeof scenarioSchema>;
export type TenantGroup = Scenario['tenants'][number];
export type SizeDistribution = TenantGroup['eventBytes'];
export type KinesisConfig = Scenario['kinesis'];
