/**
 * API Gateway in front of the ingest API (§6): a per-tenant usage-plan bucket in events/s, the account bucket of
 * 10,000 requests/s with a 5,000-request burst shared by every API, and the 10 MB payload cap. Throttled requests get
 * 429, oversized ones 413; events too large for a Kinesis or Firehose record (sim/record-limits.ts) get 400 from the
 * ingest API. All count as rejected, and clients do not retry them in this model.
 *
 * `type: alb` replaces the gateway with an Application Load Balancer in front of a fixed fleet of instances: no
 * account throttle (that is API Gateway's), but the fleet serves at most `instances × requestsPerInstance` requests/s
 * (a bucket holding one second of that) and refuses the rest with 503. The per-tenant limit still applies (the
 * application enforces it as a usage plan would). The ALB bills hours and LCU-hours (new connections and processed
 * bytes dimensions only; active connections and rule evaluations are not modelled).
 */
import { z } from 'zod';
import { TokenBucket } from './token-bucket.ts';
import type { TenantGroup } from './traffic.ts';

/** ALB LCU dimensions (not in aws-reference.md: UNCONFIRMED): 25 new connections/s, 1 GB/h processed for EC2 targets. */
export const ALB_LCU = { newConnectionsPerSecond: 25, processedBytesPerHour: 2 ** 30 } as const;

/** The fleet behind `apiGateway.type: alb`. Every default is a guess: measure yours (UNCONFIRMED). */
export const albFleetSchema = z.strictObject({
  instances: z.number().int().positive().default(2),
  /** Requests/s one instance serves; above the fleet's total, requests are refused (503). */
  requestsPerInstance: z.number().positive().default(2_000),
  /** Requests per client connection (keep-alive); 1 = a new connection per request, the LCU worst case. */
  requestsPerConnection: z.number().positive().default(1),
});
export type AlbFleetConfig = z.output<typeof albFleetSchema>;

/** The `apiGateway:` section. */
export const apiGatewayConfigSchema = z.strictObject({
  /** REST and HTTP APIs differ in price only in this model (§6); `alb` is a load balancer with a fixed fleet. */
  type: z.enum(['rest', 'http', 'alb']).default('rest'),
  /** The instances behind `type: alb` (ignored otherwise). */
  fleet: albFleetSchema.prefault({}),
  /** Events/s per tenant (a usage-plan token bucket); `none` turns it off. */
  tenantLimit: z.union([z.number().positive(), z.literal('none')]).default('none'),
  /** Bucket size per tenant in events; defaults to one second of `tenantLimit`. */
  tenantBurst: z.number().positive().optional(),
  /** Account throttle: 10,000 requests/s with a 5,000-request bucket, shared by all APIs (§6). */
  accountRate: z.number().positive().default(10_000),
  accountBurst: z.number().positive().default(5_000),
  /** Request payload cap, 10 MB, cannot be raised (§6). */
  maxPayloadBytes: z.number().positive().default(10_000_000),
  /** Gateway + integration overhead per request. Not in aws-reference.md: UNCONFIRMED, a parameter. */
  latencyMs: z.number().nonnegative().default(30),
});
export type ApiGatewayConfig = z.output<typeof apiGatewayConfigSchema>;

/** What the gateway model reads: its section and the tenant groups behind it. */
export interface ApiGatewayInput {
  readonly apiGateway: ApiGatewayConfig;
  readonly tenants: readonly TenantGroup[];
}

/** HTTP APIs meter requests in 512 KB increments (emulators-and-peers.md §7, from Infracost's usage example). */
export const HTTP_API_METERING_BYTES = 512 * 1024;

export interface ApiGatewayTick {
  /** Events admitted per group. */
  readonly acceptedEvents: Float64Array;
  /** Requests admitted over all groups (billed). */
  acceptedRequests: number;
  /** Requests as billed: an HTTP API request counts once per 512 KB of payload (emulators-and-peers §7, Infracost). */
  billedRequests: number;
  rejectedRequests: number;
  /** Events refused per reason, summed over groups. */
  rejectedTenantLimit: number;
  rejectedAccountLimit: number;
  rejectedPayload: number;
  /** Events larger than a Kinesis or Firehose record (sim/record-limits.ts): the ingest API refuses them. */
  rejectedRecordSize: number;
  /** Events refused because the ALB's fleet was full (type alb only). */
  rejectedFleetCapacity: number;
  /** ALB LCUs used this tick (max of its dimensions), type alb only. */
  lcu: number;
}

export class ApiGatewayModel {
  private readonly tenantBuckets: (TokenBucket | undefined)[];
  private readonly account: TokenBucket;
  /** The ALB's fleet, when `type: alb`; it replaces the account bucket. */
  private readonly fleet: TokenBucket | undefined;
  private readonly meanBytes: readonly number[];
  /** Per group, the share of requests over the 10 MB payload cap (413). */
  private readonly oversized: readonly number[];
  /** Per group, the share of the events left after the cap that are too large for a record (400). */
  private readonly tooLargeAfterCap: readonly number[];
  /** Billed requests per request of each group (HTTP API metering). */
  private readonly billingUnits: number[];
  private readonly perTenant: Float64Array;
  readonly tick: ApiGatewayTick;

  constructor(
    private readonly scenario: ApiGatewayInput,
    meanBytes: readonly number[],
    /** Per group, the share of events too large for a record downstream (sim/record-limits.ts); default none. */
    tooLarge: readonly number[] = [],
    /**
     * Per group, the requests one tenant batch takes: with API Gateway's Kinesis integration one request is one
     * PutRecords, at most 500 records and its byte cap (§1.1, kinesis.ts `putRecordsCalls`), so a larger batch is
     * sent as several requests. Default 1.
     */
    private readonly requestsPerBatch: readonly number[] = [],
    /**
     * Per group, the share of its requests over the payload cap (`payloadOverShare` in record-limits.ts, from the size
     * distribution). Default: all or nothing at the mean size.
     */
    payloadOver?: readonly number[],
  ) {
    const { tenantLimit, tenantBurst, accountRate, accountBurst, maxPayloadBytes } = scenario.apiGateway;
    // All tenants of a group offer the same load, so one bucket stands for each of them.
    this.tenantBuckets = scenario.tenants.map(() =>
      tenantLimit === 'none' ? undefined : new TokenBucket(tenantLimit, tenantBurst ?? tenantLimit),
    );
    this.account = new TokenBucket(accountRate, accountBurst);
    const { type, fleet } = scenario.apiGateway;
    this.fleet = type === 'alb' ? new TokenBucket(fleet.instances * fleet.requestsPerInstance, fleet.instances * fleet.requestsPerInstance) : undefined;
    this.meanBytes = meanBytes;
    // A tenant batch of batchSize events: at the mean size, does it fit the 10 MB cap? It then goes as
    // `requestsPerBatch` requests (billed per request, and per 512 KB of each for HTTP APIs).
    const perRequest = (g: TenantGroup, i: number) => (g.batchSize * meanBytes[i]!) / (requestsPerBatch[i] ?? 1);
    this.oversized = payloadOver ?? scenario.tenants.map((g, i) => (g.batchSize * meanBytes[i]! > maxPayloadBytes ? 1 : 0));
    // With one event a request, an event over the payload cap is also over a record: refuse it once, as 413.
    this.tooLargeAfterCap = scenario.tenants.map((g, i) => {
      const t = tooLarge[i] ?? 0;
      const o = this.oversized[i]!;
      return g.batchSize === 1 && o > 0 ? (o >= 1 ? 0 : Math.max(0, t - o) / (1 - o)) : t;
    });
    this.billingUnits = scenario.tenants.map((g, i) =>
      scenario.apiGateway.type === 'http' ? Math.max(1, Math.ceil(perRequest(g, i) / HTTP_API_METERING_BYTES)) : 1,
    );
    this.perTenant = new Float64Array(scenario.tenants.length);
    this.tick = {
      acceptedEvents: new Float64Array(scenario.tenants.length),
      acceptedRequests: 0,
      billedRequests: 0,
      rejectedRequests: 0,
      rejectedTenantLimit: 0,
      rejectedAccountLimit: 0,
      rejectedPayload: 0,
      rejectedRecordSize: 0,
      rejectedFleetCapacity: 0,
      lcu: 0,
    };
  }

  /** Admits the offered events of one tick. Results are in `this.tick` (reused, no allocation). */
  admit(offered: Float64Array, dt: number): ApiGatewayTick {
    const groups = this.scenario.tenants;
    const tick = this.tick;
    tick.rejectedTenantLimit = tick.rejectedAccountLimit = tick.rejectedPayload = tick.rejectedRecordSize = tick.rejectedFleetCapacity = 0;
    let requestDemand = 0;
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      // Requests over the payload cap are refused whole (413) before any limit counts them.
      const overCap = offered[g]! * (this.oversized[g] ?? 0);
      tick.rejectedPayload += overCap;
      const events = offered[g]! - overCap;
      if (events <= 0) {
        this.perTenant[g] = 0;
        continue;
      }
      const bucket = this.tenantBuckets[g];
      const passed = bucket ? bucket.take(events / group.count, dt) * group.count : events;
      tick.rejectedTenantLimit += events - passed;
      this.perTenant[g] = passed;
      requestDemand += (passed / group.batchSize) * (this.requestsPerBatch[g] ?? 1);
    }
    const admittedRequests = (this.fleet ?? this.account).take(requestDemand, dt);
    const share = requestDemand > 0 ? admittedRequests / requestDemand : 1;
    let rejectedRequests = 0;
    let billedRequests = 0;
    let bytes = 0;
    for (let g = 0; g < groups.length; g++) {
      const batch = groups[g]!.batchSize;
      const passed = this.perTenant[g]!;
      // The request got in (and is billed); the ingest API refuses the events too large for a record.
      const tooLarge = passed * share * this.tooLargeAfterCap[g]!;
      tick.acceptedEvents[g] = passed * share - tooLarge;
      tick.rejectedRecordSize += tooLarge;
      if (this.fleet) tick.rejectedFleetCapacity += passed * (1 - share);
      else tick.rejectedAccountLimit += passed * (1 - share);
      const perBatch = this.requestsPerBatch[g] ?? 1;
      rejectedRequests += ((offered[g]! - passed * share + tooLarge) / batch) * perBatch;
      billedRequests += ((passed * share) / batch) * perBatch * this.billingUnits[g]!;
      bytes += (passed * share - tooLarge) * this.meanBytes[g]!;
    }
    tick.acceptedRequests = admittedRequests;
    tick.billedRequests = billedRequests;
    tick.rejectedRequests = rejectedRequests;
    if (this.fleet) {
      // LCUs per hour are the largest dimension; measured per tick here (refused requests are not processed).
      const perConnection = this.scenario.apiGateway.fleet.requestsPerConnection;
      const newConnections = admittedRequests / perConnection / dt / ALB_LCU.newConnectionsPerSecond;
      const processed = (bytes / dt) * 3600 / ALB_LCU.processedBytesPerHour;
      tick.lcu = Math.max(newConnections, processed);
    } else tick.lcu = 0;
    return tick;
  }
}
