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

describe('events larger than a record behind the API are refused, never accepted (issue 9 #7)', () => {
  it('2 tenants × 1 event/s of 5 MB for 1 min: 120 offered, 120 rejected for record size, nothing accepted, stored or invoked', () => {
    const { summary } = run({ duration: '1m', tenants: tenants(2, 1, { eventBytes: 5_000_000 }) });
    expect(summary.events.offered).toBe(120);
    expect(summary.events.accepted).toBe(0);
    expect(summary.events.rejected).toBe(120);
    expect(summary.apiGateway.rejectedRecordSize).toBe(120);
    expect(summary.events.stored).toBe(0);
    expect(summary.lambda.invocations).toBe(0);
  });

  it('the limit is the smaller of Kinesis (1 MiB with the key) and Firehose (1,000 KiB = 1,024,000 B): 1,024,000 B passes, 1,024,001 B does not', () => {
    const fits = run({ duration: '10s', tenants: tenants(1, 1, { eventBytes: 1_024_000 }) }).summary;
    expect(fits.events.accepted).toBe(10);
    expect(fits.events.stored).toBe(10);
    const over = run({ duration: '10s', tenants: tenants(1, 1, { eventBytes: 1_024_001 }) }).summary;
    expect(over.events.accepted).toBe(0);
    expect(over.apiGateway.rejectedRecordSize).toBe(10);
  });

  it('a distribution refuses only its tail: normal(1,000,000 B, sd 50,000) has 1 − Φ(0.48) = 31.6% of events over 1,024,000 B', () => {
    const eventBytes = { dist: 'normal', mean: 1_000_000, sd: 50_000, max: 2_000_000 };
    const { summary } = run({ duration: '100s', tenants: tenants(10, 100, { eventBytes }), kinesis: { shards: 50 } });
    expect(summary.events.offered).toBe(100_000);
    // Φ(0.48) = 0.68439; the model integrates over 1,000 quantiles, so allow ±0.2 percentage points.
    expect(summary.apiGateway.rejectedRecordSize! / summary.events.offered).toBeCloseTo(0.31561, 2);
    expect(summary.events.accepted + summary.events.rejected + summary.events.dropped).toBe(100_000);
  });
});

describe('the 10 MB payload cap for a size distribution (issue 9 #7)', () => {
  it('batches of 20 events of normal(480,000 B, sd 100,000): 1 − Φ((10,000,000 − 9,600,000) / (√20 × 100,000)) = 1 − Φ(0.894) = 18.6% refused (413)', () => {
    const eventBytes = { dist: 'normal', mean: 480_000, sd: 100_000, max: 1_000_000 };
    const { summary } = run({ ...wide, duration: '100s', tenants: tenants(10, 20, { eventBytes, batchSize: 20 }) });
    expect(summary.events.offered).toBe(20_000);
    // Φ(0.894) = 0.8143; the model integrates the size over 1,000 quantiles (18.4%), so allow ±0.5 points.
    expect(summary.apiGateway.rejectedPayload / summary.events.offered).toBeCloseTo(0.186, 2);
    // Constant 600 KB × 20 = 12 MB is over the cap every time; 400 KB × 20 = 8 MB never is.
    expect(run({ ...wide, duration: '10s', tenants: tenants(1, 20, { eventBytes: 400_000, batchSize: 20 }) }).summary.apiGateway.rejectedPayload).toBe(0);
  });

  it('one event a request: a 12 MB event is refused once, as over the payload cap, not again as over a record', () => {
    const { summary } = run({ duration: '10s', tenants: tenants(1, 1, { eventBytes: 12_000_000 }) });
    expect(summary.apiGateway.rejectedPayload).toBe(10);
    expect(summary.apiGateway.rejectedRecordSize).toBe(0);
    expect(summary.events.rejected).toBe(10);
  });
});
