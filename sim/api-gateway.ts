/**
 * API Gateway in front of the ingest API (§6): a per-tenant usage-plan bucket in events/s, the account bucket of
 * 10,000 requests/s with a 5,000-request burst shared by every API, and the 10 MB payload cap. Throttled requests get
 * 429, oversized ones 413; both count as rejected, and clients do not retry them in this model.
 */
import type { Scenario } from '../scenarios/schema.ts';
import { TokenBucket } from './token-bucket.ts';

export interface ApiGatewayTick {
  /** Events admitted per group. */
  readonly acceptedEvents: Float64Array;
  /** Requests admitted over all groups (billed). */
  acceptedRequests: number;
  rejectedRequests: number;
  /** Events refused per reason, summed over groups. */
  rejectedTenantLimit: number;
  rejectedAccountLimit: number;
  rejectedPayload: number;
}

export class ApiGatewayModel {
  private readonly tenantBuckets: (TokenBucket | undefined)[];
  private readonly account: TokenBucket;
  private readonly oversized: boolean[];
  private readonly perTenant: Float64Array;
  readonly tick: ApiGatewayTick;

  constructor(
    private readonly scenario: Scenario,
    meanBytes: readonly number[],
  ) {
    const { tenantLimit, tenantBurst, accountRate, accountBurst, maxPayloadBytes } = scenario.apiGateway;
    // All tenants of a group offer the same load, so one bucket stands for each of them.
    this.tenantBuckets = scenario.tenants.map(() =>
      tenantLimit === 'none' ? undefined : new TokenBucket(tenantLimit, tenantBurst ?? tenantLimit),
    );
    this.account = new TokenBucket(accountRate, accountBurst);
    // A request is one multi-put of batchSize events; at the mean size, does it fit the 10 MB cap?
    this.oversized = scenario.tenants.map((g, i) => g.batchSize * meanBytes[i]! > maxPayloadBytes);
    this.perTenant = new Float64Array(scenario.tenants.length);
    this.tick = {
      acceptedEvents: new Float64Array(scenario.tenants.length),
      acceptedRequests: 0,
      rejectedRequests: 0,
      rejectedTenantLimit: 0,
      rejectedAccountLimit: 0,
      rejectedPayload: 0,
    };
  }

  /** Admits the offered events of one tick. Results are in `this.tick` (reused, no allocation). */
  admit(offered: Float64Array, dt: number): ApiGatewayTick {
    const groups = this.scenario.tenants;
    const tick = this.tick;
    tick.rejectedTenantLimit = tick.rejectedAccountLimit = tick.rejectedPayload = 0;
    let requestDemand = 0;
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      const events = offered[g]!;
      if (this.oversized[g]) {
        this.perTenant[g] = 0;
        tick.rejectedPayload += events;
        continue;
      }
      const bucket = this.tenantBuckets[g];
      const passed = bucket ? bucket.take(events / group.count, dt) * group.count : events;
      tick.rejectedTenantLimit += events - passed;
      this.perTenant[g] = passed;
      requestDemand += passed / group.batchSize;
    }
    const admittedRequests = this.account.take(requestDemand, dt);
    const share = requestDemand > 0 ? admittedRequests / requestDemand : 1;
    let rejectedRequests = 0;
    for (let g = 0; g < groups.length; g++) {
      const batch = groups[g]!.batchSize;
      const passed = this.perTenant[g]!;
      tick.acceptedEvents[g] = passed * share;
      tick.rejectedAccountLimit += passed * (1 - share);
      rejectedRequests += (offered[g]! - passed * share) / batch;
    }
    tick.acceptedRequests = admittedRequests;
    tick.rejectedRequests = rejectedRequests;
    return tick;
  }
}
