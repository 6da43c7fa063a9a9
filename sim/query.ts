/**
 * The read path of the seed (issue 13 item 9): the query server answers tenants' queries over a time range, reading
 * the recent part from DynamoDB (Query on the tenant's key: RCU per 4 KB of items read, half for eventually
 * consistent reads, §3.1) and the older part from S3 through Drill, which scans every Firehose object of the range
 * (the raw objects are not partitioned by tenant): GET requests and bytes scanned, and a per-query latency of a fixed
 * overhead plus the scan at a fixed rate (both UNCONFIRMED: measure your Drill). Plus the processor's schema lookups:
 * an in-process cache per running invocation with a TTL, whose misses read the schema table.
 *
 * Aggregated per query class and tick, never per query. Pure: time comes in as `now`, what the pipeline holds comes
 * in as arguments.
 */
import { z } from 'zod';
import { duration } from './duration.ts';

/** One class of queries: who asks, how often, over what range, with which consistency. */
export const queryClassSchema = z.strictObject({
  name: z.string().min(1),
  /** `all` tenants, or the name of one tenant group. */
  tenants: z.string().min(1).default('all'),
  /** Queries per tenant per hour. */
  perTenantPerHour: z.number().nonnegative(),
  /** How far back each query reads, from now. */
  range: duration().pipe(z.number().positive()),
  /** DynamoDB reads: eventually consistent cost half (§3.1). */
  consistency: z.enum(['eventual', 'strong']).default('eventual'),
  /** Only during [at, at + duration) of the run; absent: the whole run. */
  window: z.strictObject({ at: duration(), duration: duration().pipe(z.number().positive()) }).optional(),
});
export type QueryClass = z.output<typeof queryClassSchema>;

/** The `queries:` section. */
export const queriesConfigSchema = z.strictObject({
  classes: z.array(queryClassSchema).default([]),
  /** The most recent part of a range read from DynamoDB; older data is read from S3 through Drill. */
  dynamoWindow: duration().default(86_400),
  /** Drill: fixed time per query, and scan rate over S3 objects (both UNCONFIRMED, your cluster's numbers). */
  drillOverheadMs: z.number().nonnegative().default(500),
  drillScanMiBps: z.number().positive().default(200),
  /** Model the processor's schema lookups (off by default: the bundled write-path scenarios leave them out). */
  schemaStore: z.boolean().default(false),
  /** The processor's schema cache: TTL per entry, schema item size; misses read the schema table (eventual). */
  schemaCacheTtl: duration().pipe(z.number().positive()).default(300),
  schemaItemBytes: z.number().positive().default(2_048),
  /** The schema table's provisioned read capacity (RCU), when it is a table of its own. */
  schemaReadCapacity: z.number().positive().default(100),
  /**
   * `own`: schemas live in a table of their own (`schemaReadCapacity`). `shared`: in the events table, so the query
   * server's reads and the processor's lookups share its read capacity; a lookup refused stalls its batch.
   */
  schemaTable: z.enum(['own', 'shared']).default('own'),
});
export type QueriesConfig = z.output<typeof queriesConfigSchema>;

/** Read units of one Query returning `bytes` of items: per 4 KB, rounded up; eventual consistency halves (§3.1). */
export function queryReadUnits(bytes: number, consistency: QueryClass['consistency']): number {
  const units = Math.ceil(bytes / 4_096);
  return consistency === 'eventual' ? units / 2 : units;
}

/** What one tenant group looks like to the query server now. */
export interface QueryGroup {
  readonly name: string;
  readonly count: number;
  /** Events per second per tenant (recent average). */
  readonly eventsPerSecond: number;
  readonly meanBytes: number;
}

/** What S3 holds now, for Drill's scans. */
export interface S3Holdings {
  /** Objects and bytes Firehose delivered per second (recent average over the run). */
  readonly objectsPerSecond: number;
  readonly bytesPerSecond: number;
  /** Seconds of data S3 holds (queries cannot read before the run started). */
  readonly heldSeconds: number;
}

export interface QueryTick {
  queries: number;
  /** DynamoDB read units asked for this tick, and the largest share any one tenant key asks for. */
  dynamoReadUnits: number;
  dynamoReadUnitsPerKeyMax: number;
  /** S3 through Drill. */
  s3GetRequests: number;
  s3BytesScanned: number;
  /** Sum of Drill time over this tick's queries (ms), for the mean latency. */
  drillMs: number;
  drillQueries: number;
}

/** Query load per tick. Call `tick` once per simulation tick. */
export class QueryModel {
  readonly tickResult: QueryTick = {
    queries: 0,
    dynamoReadUnits: 0,
    dynamoReadUnitsPerKeyMax: 0,
    s3GetRequests: 0,
    s3BytesScanned: 0,
    drillMs: 0,
    drillQueries: 0,
  };

  constructor(private readonly config: QueriesConfig) {}

  get enabled(): boolean {
    return this.config.classes.length > 0;
  }

  tick(now: number, dt: number, groups: readonly QueryGroup[], s3: S3Holdings): QueryTick {
    const r = this.tickResult;
    r.queries = r.dynamoReadUnits = r.dynamoReadUnitsPerKeyMax = r.s3GetRequests = r.s3BytesScanned = r.drillMs = r.drillQueries = 0;
    const c = this.config;
    for (const q of c.classes) {
      if (q.window && (now < q.window.at || now >= q.window.at + q.window.duration)) continue;
      // Data exists only since the run started (`heldSeconds`).
      const dynamoSeconds = Math.min(q.range, c.dynamoWindow, s3.heldSeconds);
      const s3Seconds = Math.max(0, Math.min(q.range, s3.heldSeconds) - c.dynamoWindow);
      for (const g of groups) {
        if (q.tenants !== 'all' && q.tenants !== g.name) continue;
        const queries = (g.count * q.perTenantPerHour * dt) / 3_600;
        if (!(queries > 0)) continue;
        r.queries += queries;
        // DynamoDB: a Query on the tenant's key over the recent part of the range.
        const units = queryReadUnits(g.eventsPerSecond * dynamoSeconds * g.meanBytes, q.consistency);
        r.dynamoReadUnits += queries * units;
        const perKey = (q.perTenantPerHour / 3_600) * units;
        if (perKey > r.dynamoReadUnitsPerKeyMax) r.dynamoReadUnitsPerKeyMax = perKey;
        // S3 through Drill: every object of the older part, whatever the tenant.
        if (s3Seconds > 0) {
          const bytes = s3.bytesPerSecond * s3Seconds;
          r.s3GetRequests += queries * s3.objectsPerSecond * s3Seconds;
          r.s3BytesScanned += queries * bytes;
          r.drillMs += queries * (c.drillOverheadMs + (bytes / (c.drillScanMiBps * 1_048_576)) * 1_000);
          r.drillQueries += queries;
        }
      }
    }
    return r;
  }
}

/**
 * Schema lookups of the processor: each running invocation keeps its own cache; an entry per tenant it sees, each
 * refreshed once per TTL. Misses per second = invocations × tenants seen / TTL; each reads one schema item
 * (eventually consistent, §3.1).
 */
export function schemaMissReadUnits(config: QueriesConfig, concurrentInvocations: number, tenantsSeenPerInvocation: number, dt: number): number {
  const misses = (concurrentInvocations * tenantsSeenPerInvocation * dt) / config.schemaCacheTtl;
  return misses * queryReadUnits(config.schemaItemBytes, 'eventual');
}
