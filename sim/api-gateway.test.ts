import { describe, expect, it } from 'vitest';
import { run, tenants } from '../test/builders.ts';

const wide = { kinesis: { shards: 50 } };

describe('API Gateway throttles (§6)', () => {
  it('rejects a tenant’s events above its usage-plan limit', () => {
    // 150 events/s against 100/s with a 100-event bucket: 200 pass in the first second, then 100 a second.
    const { summary } = run({ ...wide, duration: '60s', tenants: tenants(1, 150), apiGateway: { tenantLimit: 100 } });
    expect(summary.events.offered).toBe(150 * 60);
    expect(summary.events.accepted).toBe(100 * 60 + 100);
    expect(summary.apiGateway.rejectedTenantLimit).toBe(50 * 60 - 100);
  });

  it('applies the limit to each tenant of a group, not to the group', () => {
    const { summary } = run({ ...wide, duration: '60s', tenants: tenants(20, 150), apiGateway: { tenantLimit: 100 } });
    expect(summary.events.accepted).toBe(20 * (100 * 60 + 100));
  });

  it('shares the account’s 10,000 requests/s (5,000 burst) across all tenants', () => {
    // 15,000 requests/s of one event each: 15,000 pass in second one (10,000 + the 5,000 bucket), then 10,000/s.
    const { summary } = run({ kinesis: { shards: 20 }, duration: '10s', tenants: tenants(100, 150) });
    expect(summary.events.accepted).toBe(15_000 + 9 * 10_000);
    expect(summary.apiGateway.rejectedAccountLimit).toBe(150_000 - 105_000);
  });

  it('counts requests, not events, against the account limit: batches of 10 fit', () => {
    const { summary } = run({ kinesis: { shards: 20 }, duration: '10s', tenants: tenants(100, 150, { batchSize: 10 }) });
    expect(summary.events.rejected).toBe(0);
    expect(summary.apiGateway.requests).toBe(150_000 / 10);
  });

  it('refuses requests over the 10 MB payload cap (413)', () => {
    const { summary } = run({ ...wide, duration: '10s', tenants: tenants(1, 10, { eventBytes: 600_000, batchSize: 20 }) });
    // 20 × 600 KB = 12 MB per request.
    expect(summary.apiGateway.rejectedPayload).toBe(100);
    expect(summary.events.accepted).toBe(0);
  });

  it('bills an HTTP API request once per 512 KB of payload', () => {
    // Batches of 100 events of 6,000 B = 600,000 B per request: two 512 KiB increments (524,288 B) each.
    const input = { ...wide, duration: '10s', tenants: tenants(1, 100, { eventBytes: 6000, batchSize: 100 }) };
    const http = run({ ...input, apiGateway: { type: 'http' } });
    const rest = run({ ...input, apiGateway: { type: 'rest' } });
    expect(rest.summary.apiGateway.requests).toBe(10);
    expect(http.summary.apiGateway.requests).toBe(20);
    expect(http.summary.cost.byService.apiGateway).toBeCloseTo(20 * (1.0 / 1e6), 9);
  });
});
