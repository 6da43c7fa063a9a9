import { afterAll, describe, expect, it } from 'vitest';
import { scenario } from '../test/builders.ts';
import { loadReport } from './result.ts';
import { scenarioTenantIds } from './schedule.ts';
import { startIngestStandIn, type StandIn } from './test-support/ingest-stand-in.ts';
import { runLoadOnWorkers } from './workers.ts';

let server: StandIn | undefined;
afterAll(() => server?.close());

describe('load on worker threads', () => {
  it('two workers split the tenants and together send exactly the one-thread schedule', async () => {
    // 5 tenants × 20 events/s × 1 s in batches of 2: 100 events in 50 requests, tenants 0, 2, 4 on worker 0.
    const s = scenario({ duration: '1s', seed: 3, tenants: [{ name: 'w', count: 5, rate: 20, noise: 'none', batchSize: 2 }] });
    const ids = scenarioTenantIds(s);
    server = await startIngestStandIn({ keys: Object.fromEntries(ids.map((id) => [`k-${id}`, id])) });
    const progress: number[] = [];
    const result = await runLoadOnWorkers({
      url: server.url,
      scenario: s,
      credentials: ids.map((id) => ({ tenantId: id, apiKey: `k-${id}` })),
      workers: 2,
      onProgress: (p) => progress.push(p.scheduled),
    });
    const report = loadReport(result);
    expect(report.sent.requests).toBe(50);
    expect(report.scheduled).toEqual({ requests: 50, events: 100 });
    expect(report.statuses).toEqual({ 202: 50 });
    expect(report.events.accepted).toBe(100);
    const perTenant = ids.map((id) => server!.received.filter((r) => r.tenantId === id).reduce((a, r) => a + r.events.length, 0));
    expect(perTenant).toEqual([20, 20, 20, 20, 20]);
    // The merged latency histogram holds every answer.
    expect(report.latencyMs.max).toBeGreaterThan(0);
    // Progress sums both workers' plans.
    if (progress.length > 0) expect(progress.at(-1)).toBe(50);
  });
});
