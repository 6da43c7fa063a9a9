import { describe, expect, it } from 'vitest';
import { faultsConfigSchema } from '../../sim/faults.ts';
import { auditPipeline } from '../audit/audit-pipeline.ts';
import { createAwsClients } from '../aws-clients.ts';
import { startPipeline } from '../run-pipeline.ts';
import { pipelineScenario, postEvents, waitFor } from '../../test/pipeline-helpers.ts';

const T0 = Date.UTC(2026, 0, 5, 10);

describe('the real pipeline behind the quota gateway with faults', () => {
  it('1% injected 5xx on every service call loses nothing: 3,000 accepted events are all stored once and delivered', async () => {
    const scenario = { ...pipelineScenario({ tenants: 3, shards: 2 }), faults: faultsConfigSchema.parse([{ service: '*', error: '5xx', rate: 0.01 }]) };
    const pipeline = await startPipeline({
      scenario,
      gateway: true,
      firehoseBufferSeconds: 1,
      tenantLimit: 'none',
      retentionSeconds: 20 * 365 * 86_400,
      processor: { pollIntervalMs: 50 },
    });
    // The audit reads through the same faulty edge; its own SDK retries (3 attempts) get it through 1% of 5xx.
    const t0 = performance.now();
    const auditAws = createAwsClients(pipeline.target, { sdkRetries: true });
    try {
      let accepted = 0;
      for (const [t, tenant] of pipeline.tenants.entries()) {
        const events = Array.from({ length: 1000 }, (_, i) => ({ id: `${t}-${i}`, timestamp: T0 + i, seq: i }));
        const statuses = await postEvents(pipeline.apiUrl, tenant, events, 100);
        accepted += statuses.filter((s) => s === 202).length * 100;
      }
      const t1 = performance.now();
      expect(accepted).toBeGreaterThan(2_900);
      await waitFor('every accepted event stored', () => pipeline.processor!.counters.stored >= accepted, 30_000);
      const t2 = performance.now();
      await waitFor('every accepted event in S3', async () => (await auditPipeline({ aws: auditAws, names: pipeline.names })).delivered >= accepted, 30_000);
      const t3 = performance.now();
      console.log(`post ${Math.round(t1 - t0)} ms, stored ${Math.round(t2 - t1)} ms, delivered ${Math.round(t3 - t2)} ms`);
      const audit = await auditPipeline({ aws: auditAws, names: pipeline.names, api: pipeline.api.counters });
      const injected = pipeline.gateway!.counters.faults;
      console.log(`faults injected: ${injected.injected} of ${injected.calls} calls (${JSON.stringify(injected.byService)}); audit: accepted ${audit.accepted}, stored ${audit.stored}, delivered ${audit.delivered}`);
      expect(injected.injected).toBeGreaterThan(0);
      // 1% of the calls, within 5 binomial standard deviations.
      expect(Math.abs(injected.injected - injected.calls / 100)).toBeLessThan(5 * Math.sqrt(injected.calls / 100) + 1);
      expect(audit).toMatchObject({ stored: accepted, storedTwice: 0, missingFromDynamo: 0, missingFromS3: 0, ok: true });
    } finally {
      auditAws.destroy();
      await pipeline.stop();
    }
  });
});
