/**
 * The load-generated scenario run (`scenario --target localstack|aws`) on the other targets: localstack's code path
 * against the embedded edge standing in for LocalStack, and the aws target's refusals. About 10 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { scenario } from '../test/builders.ts';
import { simulate } from '../sim/simulation.ts';
import { UsageError } from '../sim/errors.ts';
import { createAwsClients, type AwsClients } from '../pipeline/aws-clients.ts';
import { startTarget, type EmbeddedTarget } from '../pipeline/targets/index.ts';
import { runOnEmbedded } from './target-run.ts';

describe('scenario runs on the localstack and aws targets', () => {
  let embedded: EmbeddedTarget;
  let upstream: AwsClients;
  beforeAll(async () => {
    embedded = await startTarget('embedded', {});
    upstream = createAwsClients(embedded);
  });
  afterAll(async () => {
    upstream?.destroy();
    await embedded?.stop();
  });

  it('localstack: offers what the simulator offers and stores and delivers every accepted event, through the gateway on its own edge', async () => {
    // 3 tenants, Poisson arrivals around 20 events/s each in batches of 4, for 3 s: about 180 events, as the simulator draws them.
    const s = scenario({ duration: '3s', seed: 21, tenants: [{ name: 'fid', count: 3, rate: 20, batchSize: 4, eventBytes: 300 }] });
    const real = await runOnEmbedded(s, { target: { target: 'localstack', endpoint: embedded.endpoint } });
    const { summary } = simulate(s);
    expect(real.target).toBe('localstack');
    // Our Firehose on the local edge (LocalStack's ignores buffering), so no caveat to print.
    expect(real.warnings).toEqual([]);
    expect(real.drained).toBe(true);
    expect(real.events.offered).toBe(summary.events.offered);
    expect(real.events).toMatchObject({ accepted: summary.events.offered, stored: summary.events.offered, delivered: summary.events.offered, missing: 0, dropped: 0 });
    expect(real.audit).toMatchObject({ ok: true, storedTwice: 0 });
    // The gateway counted every record on its way to the upstream, which holds the stream.
    expect(real.gateway.kinesis.acceptedRecords).toBe(summary.events.offered);
    expect((await upstream.kinesis.send(new ListStreamsCommand({}))).StreamNames).toContain('ingestlab-events');
  }, 60_000);

  it('aws: refuses a time scale other than 1 (AWS has no scenario clock), and missing flags, before anything starts', async () => {
    const s = scenario({ duration: '3s', tenants: [{ name: 'fid', count: 1, rate: 1 }] });
    const scaled = await runOnEmbedded(s, { timeScale: 10, target: { target: 'aws' } }).then(() => undefined, (e: Error) => e);
    expect(scaled).toBeInstanceOf(UsageError);
    expect(scaled!.message).toBe("--target aws runs on AWS's own clock: --time-scale and --sample must be 1 (got 10 and 0.1)");
    const flags = await runOnEmbedded(s, { target: { target: 'aws' } }).then(() => undefined, (e: Error) => e);
    expect(flags).toBeInstanceOf(UsageError);
    expect(flags!.message).toMatch(/^aws target refused:\n {2}--confirm-aws is required.*\n {2}--max-cost-usd N is required.*\n {2}--firehose-role-arn ARN is required/);
  });
});
