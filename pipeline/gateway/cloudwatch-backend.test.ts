import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetMetricDataCommand, GetMetricStatisticsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { startEdge, type RunningEdge } from '../edge/edge-server.ts';
import { createAwsClients, type AwsClients } from '../aws-clients.ts';
import { EMULATOR_CREDENTIALS } from '../targets/target.ts';
import { createCloudWatchBackend } from './cloudwatch-backend.ts';
import { MetricsStore } from './metrics-store.ts';
import { createManualClock, scenarioDate } from './scenario-clock.ts';

describe('CloudWatch endpoint: the real SDK client reads the store through the edge', () => {
  const clock = createManualClock();
  const store = new MetricsStore(clock, 120);
  let edge: RunningEdge;
  let aws: AwsClients;
  beforeAll(async () => {
    edge = await startEdge({ backends: { monitoring: createCloudWatchBackend(store, clock) } });
    aws = createAwsClients({ name: 'embedded', region: 'us-east-1', endpoint: edge.url, credentials: { ...EMULATOR_CREDENTIALS } });
  });
  afterAll(async () => {
    aws?.destroy();
    await edge?.close();
  });

  const dims = { StreamName: 'ingest' };
  const query = () =>
    aws.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: scenarioDate(clock, 0),
        EndTime: scenarioDate(clock, clock.now()),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          { Id: 'rec', MetricStat: { Metric: { Namespace: 'AWS/Kinesis', MetricName: 'IncomingRecords', Dimensions: [{ Name: 'StreamName', Value: 'ingest' }] }, Period: 60, Stat: 'Sum' } },
        ],
      }),
    );

  it('minute 0 (sums 100 + 200) is hidden until 60 + 120 s publication delay, then reads 300 at its timestamp', async () => {
    store.add('AWS/Kinesis', 'IncomingRecords', dims, 100, 'Count', 5);
    store.add('AWS/Kinesis', 'IncomingRecords', dims, 200, 'Count', 59);
    store.add('AWS/Kinesis', 'IncomingRecords', dims, 7, 'Count', 61);
    clock.set(179);
    expect((await query()).MetricDataResults?.[0]?.Values).toEqual([]);
    clock.set(180);
    const r = (await query()).MetricDataResults?.[0];
    expect(r?.Values).toEqual([300]);
    expect(r?.Timestamps?.[0]?.getTime()).toBe(clock.epochMs);
    clock.set(240);
    expect((await query()).MetricDataResults?.[0]?.Values).toEqual([300, 7]);
  });

  it('GetMetricStatistics gives Maximum and SampleCount per 5-minute period; PutMetricData is readable after the delay', async () => {
    await aws.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Custom',
        MetricData: [{ MetricName: 'Age', Values: [10, 40], Counts: [1, 2], Timestamp: scenarioDate(clock, 250), Unit: 'Milliseconds' }],
      }),
    );
    clock.set(250 + 60 + 120);
    const out = await aws.cloudwatch.send(
      new GetMetricStatisticsCommand({ Namespace: 'Custom', MetricName: 'Age', StartTime: scenarioDate(clock, 0), EndTime: scenarioDate(clock, clock.now()), Period: 300, Statistics: ['Maximum', 'SampleCount', 'Average'] }),
    );
    expect(out.Datapoints).toHaveLength(1);
    expect(out.Datapoints?.[0]).toMatchObject({ Maximum: 40, SampleCount: 3, Average: 30, Unit: 'Milliseconds' });
    expect(out.Datapoints?.[0]?.Timestamp?.getTime()).toBe(clock.epochMs + 0);
  });
});
