import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { startEmbedded, type EmbeddedTarget } from './embedded.ts';
import { measureKinesisPutRate } from './kinesis-rate.ts';
import { createAwsClients } from '../aws-clients.ts';

describe('raw Kinesis PutRecords rate', () => {
  let target: EmbeddedTarget;
  beforeAll(async () => {
    target = await startEmbedded();
  });
  afterAll(async () => {
    await target?.stop();
  });

  it('puts every record in calls of the batch size, on the emulator alone and through the edge, and removes its stream', async () => {
    const raw = await measureKinesisPutRate(target.emulators.kinesis, { records: 1_200, batchSize: 500, concurrency: 2 });
    expect(raw).toMatchObject({ endpoint: target.emulators.kinesis, records: 1_200, calls: 3, failedRecords: 0 });
    expect(raw.recordsPerSecond).toBeCloseTo(1_200 / raw.seconds, 6);
    const edge = await measureKinesisPutRate(target.endpoint, { records: 500, batchSize: 250 });
    expect(edge).toMatchObject({ records: 500, calls: 2, failedRecords: 0 });
    const aws = createAwsClients(target);
    expect((await aws.kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
    aws.destroy();
  });
});
