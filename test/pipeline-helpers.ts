/** Builders for the real-pipeline tests: a small scenario, posting events, waiting for a condition. */
import { scenarioSchema, type Scenario } from '../scenarios/schema.ts';

/** A scenario for pipeline tests: `tenants` tenants of one group, `shards` shards, the rest defaults. */
export function pipelineScenario(overrides: { tenants?: number; shards?: number; batchSize?: number; parallelizationFactor?: number; partitionKey?: 'tenant' | 'tenant-timestamp' | 'random' } = {}): Scenario {
  return scenarioSchema.parse({
    name: 'pipeline-test',
    duration: '60s',
    tenants: [{ name: 'tenant', count: overrides.tenants ?? 3, rate: 5, batchSize: 10 }],
    kinesis: { shards: overrides.shards ?? 2, partitionKey: overrides.partitionKey ?? 'tenant-timestamp' },
    lambda: { batchSize: overrides.batchSize ?? 100, parallelizationFactor: overrides.parallelizationFactor ?? 1 },
    dynamodb: { mode: 'on-demand' },
    firehose: { bufferSeconds: '1s', bufferMb: 1 },
  });
}

/** Posts `events` (each `{id, timestamp, ...}`) for one tenant in requests of `perRequest`; returns the statuses. */
export async function postEvents(apiUrl: string, tenant: { id: string; apiKey: string }, events: object[], perRequest = 100): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < events.length; i += perRequest) {
    const res = await fetch(`${apiUrl}/v1/tenants/${tenant.id}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': tenant.apiKey },
      body: JSON.stringify({ events: events.slice(i, i + perRequest) }),
    });
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  return statuses;
}

export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
