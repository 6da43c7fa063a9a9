/**
 * summary.json and timeline.csv of a real run, from a fixed set of measurements (no pipeline): every figure checked
 * against a hand computation, unmeasured figures null, never 0.
 */
import { describe, expect, it } from 'vitest';
import { scenario } from '../test/builders.ts';
import { auditFailures } from '../sim/summary.ts';
import { summaryJson } from '../reports/write-run.ts';
import { timelineCsv } from '../reports/timeline-csv.ts';
import { runReportBlocks } from '../reports/run-report.ts';
import { renderMarkdown } from '../reports/doc.ts';
import { shardHoursOf, targetSummary } from './target-summary.ts';
import type { MeteredMinute, TargetRunResult } from './target-run.ts';

const latency = { p50: 12, p95: 30, p99: 45, max: 60 };
const minute = (at: number, x: Partial<MeteredMinute>): MeteredMinute => ({
  at,
  kinesisIncomingRecords: 0,
  kinesisIncomingBytes: 0,
  kinesisThrottled: 0,
  iteratorAgeMaxMs: null,
  ddbConsumedWcu: 0,
  ddbProvisionedWcu: null,
  ddbThrottled: 0,
  firehoseIncomingRecords: 0,
  firehoseIncomingBytes: 0,
  firehoseThrottled: 0,
  ...x,
});

/** 10 scenario minutes compressed 10× and sampled 1/10 (weight 10); one scale-up 1 → 2 shards at 150 s. */
function measured(): TargetRunResult {
  return {
    scenario: 'test',
    target: 'embedded',
    warnings: [],
    seed: 1,
    timeScale: 10,
    sample: 0.1,
    weight: 10,
    durationSeconds: 600,
    wallSeconds: { load: 60, drain: 2 },
    drained: true,
    events: { offered: 12_000, accepted: 11_000, rejected: 600, dropped: 400, failed: 0, stored: 11_000, delivered: 11_000, deadLettered: 0, missing: 0 },
    kinesis: { shardsInitial: 1, shardsMax: 2, shardsFinal: 2, reshards: 1, throttledRecords: 200, maxIteratorAgeMs: 2_000 },
    dynamodb: { throttledRequests: 3 },
    firehose: { throttledRecords: 0 },
    scaling: { actions: [{ atSeconds: 150, service: 'kinesis', resource: 's', from: 1, to: 2, reason: 'up' }], firstScaleUpAtSeconds: 150, errors: [], loadStartedAt: 60 },
    latencyMs: latency,
    ingestLatencyMs: latency,
    // 60 wall seconds, 2 requests of 10 events scheduled in each (sent units): offered counts the events.
    load: { scheduledPerSecond: Array.from({ length: 60 }, () => 2), scheduledEventsPerSecond: Array.from({ length: 60 }, () => 20) } as unknown as TargetRunResult['load'],
    audit: { tables: ['events_w1'], missingFromS3: 0, firehoseBuffered: 0, problems: [] } as unknown as TargetRunResult['audit'],
    gateway: { dynamodb: { refusedTableUpdates: 0 } } as unknown as TargetRunResult['gateway'],
    metered: {
      minutes: [
        minute(0, { kinesisIncomingRecords: 1_000, kinesisIncomingBytes: 600_000, kinesisThrottled: 200, iteratorAgeMaxMs: 2_000, ddbConsumedWcu: 1_200, ddbProvisionedWcu: 100, firehoseIncomingRecords: 1_000, firehoseIncomingBytes: 500_000 }),
        minute(120, { ddbProvisionedWcu: 200 }),
      ],
      kinesisRecords: 11_000,
      kinesisBytes: 11_000 * 600,
      ddbConsumedWcu: 11_000,
      processorBatches: 90,
      firehoseObjects: 4,
      firehoseBytes: 50_000,
      apiRequests: 3_000,
      processorEndToEndMs: { p50: 20, p95: 40, p99: 80, max: 100 },
    },
  };
}

const s = scenario({ duration: '10m', tenants: [{ name: 't', count: 2, rate: 10, noise: 'none' }], kinesis: { shards: 1 } });

describe('targetSummary', () => {
  it('shard-hours integrate the initial count and the autoscaler\'s actions over the duration', () => {
    expect(shardHoursOf(1, measured().scaling.actions, 600)).toBeCloseTo((1 * 150 + 2 * 450) / 3600, 12);
    // An action after the end bills nothing; a refused one changes nothing.
    expect(shardHoursOf(1, [{ atSeconds: 700, service: 'kinesis', resource: 's', from: 1, to: 4, reason: '' }], 600)).toBeCloseTo(600 / 3600, 12);
    expect(shardHoursOf(1, [{ atSeconds: 0, service: 'kinesis', resource: 's', from: 1, to: 4, reason: '', refusal: 'LimitExceeded' }], 600)).toBeCloseTo(600 / 3600, 12);
  });

  it('counts, capacity and cost in scenario units, from the metered usage and the simulator\'s price table', () => {
    const { summary } = targetSummary(s, measured());
    expect(summary.target).toBe('embedded');
    expect(summary.events).toEqual({ offered: 12_000, accepted: 11_000, rejected: 600, dropped: 400, stored: 11_000, delivered: 11_000, lost: 0 });
    expect(summary.audit.balanced).toBe(true);
    expect(summary.kinesis).toEqual({ mode: 'provisioned', shardsInitial: 1, shardsMax: 2, shardsFinal: 2, reshards: 1, throttledRecords: 200, shardHours: 0.292, maxIteratorAgeMs: 2_000 });
    expect(summary.scaling.kinesis.firstScaleUpAtSeconds).toBe(150);
    expect(summary.drainSeconds).toBe(20); // 2 wall s × time scale 10
    // 3,000 requests sent × weight 10 = 30,000 REST requests at $3.50/M.
    expect(summary.apiGateway.requests).toBe(30_000);
    expect(summary.cost.byService.apiGateway).toBeCloseTo(0.105, 6);
    // Shard-hours 1,050/3,600 × $0.015 + 11,000 PUT payload units (600-byte records: one unit each) × $0.014/M.
    expect(summary.cost.byService.kinesis).toBeCloseTo((1050 / 3600) * 0.015 + 0.011 * 0.014, 6);
    // WCU: 100 for minutes 0–1, 200 from minute 2 (reported, then carried): (2×100 + 8×200)/60 = 30 WCU-hours;
    // RCU: 5 × 1 table × 1/6 h = 0.8333.
    expect(summary.dynamodb.writeCapacityMax).toBe(200);
    expect(summary.dynamodb.capacityUnitHours).toBeCloseTo(30 + 5 / 6, 3);
    expect(summary.cost.byService.dynamodb).toBeCloseTo(30 * 0.00065 + (5 / 6) * 0.00013, 6);
    // Firehose: 1,000 records of 500 bytes, each billed as 5 KB = 5,120 bytes, at $0.029/GB (2^30 bytes).
    expect(summary.cost.byService.firehose).toBeCloseTo(((1_000 * 5_120) / 2 ** 30) * 0.029, 6);
    // S3: 4 objects at $0.005 per 1,000 PUTs.
    expect(summary.cost.byService.s3).toBeCloseTo(0.00002, 6);
    expect(summary.cost.totalUsd).toBeCloseTo(Object.values(summary.cost.byService).reduce((a, b) => a + b, 0), 5);
    expect(summary.cost.perMillionEventsUsd).toBeCloseTo((summary.cost.totalUsd / 11_000) * 1e6, 2);
    expect(summary.latencyMs).toEqual({ p50: 20, p95: 40, p99: 80, max: 100 });
    expect(summary.ingestLatencyMs).toEqual(latency);
  });

  it("Kinesis scaling lag from the timeline's rows: fresh demand against the shards in effect, a reshard counted from its request + reshardSeconds", () => {
    const run = measured();
    // 2,000 events a wall second × weight 10 × 6 wall seconds a row = 120,000 offered a row; less the 5% the API
    // rejected, 1,900 records/s of demand. One shard (1,000/s) until the scale-up requested at 150 s takes effect at
    // 150 + 180 = 330 s: rows 0–4 are under, row 5 (300–360 s) has 1.5 shards on average (1,500/s), still under, and
    // 2 shards (2,000/s) carry it from 360 s. Lag: 360 s, in one span.
    const busy = { ...run, load: { ...run.load, scheduledEventsPerSecond: Array.from({ length: 60 }, () => 2_000) } } as TargetRunResult;
    const { summary } = targetSummary(s, busy);
    expect(summary.scaling.kinesis).toMatchObject({ lagSeconds: 360, underProvisionedSeconds: 360, firstScaleUpAtSeconds: 150 });
    expect(targetSummary(s, measured()).summary.scaling.kinesis.lagSeconds).toBe(0); // 19 records/s: never under
    const onDemand = targetSummary(scenario({ duration: '10m', tenants: [{ name: 't', count: 2, rate: 10, noise: 'none' }], kinesis: { mode: 'on-demand' } }), busy).summary;
    expect(onDemand.scaling.kinesis.lagSeconds).toBeNaN();
    expect(onDemand.notMeasured!.join('\n')).toMatch(/scaling\.kinesis lag/);
  });

  it('what a real run cannot measure is null in summary.json and named, never 0; the report says n/a and that it is real', () => {
    const { summary, timeline } = targetSummary(s, measured());
    // Sampled: the processor's batches are of sent records, not scenario invocations.
    expect(summary.lambda.invocations).toBeNaN();
    expect(summary.cost.byService.lambda).toBe(0);
    expect(summary.notMeasured!.join('\n')).toMatch(/lambda\.invocations \(compressed or sampled/);
    expect(summary.notMeasured!.join('\n')).toMatch(/gbSeconds/);
    const json = JSON.parse(summaryJson(summary));
    expect(json.lambda).toMatchObject({ invocations: null, gbSeconds: null, maxConcurrency: null });
    expect(json.scaling.dynamodb.lagSeconds).toBeNull();
    expect(summary.assumptions.find((a) => a.parameter === 'compressed run')?.value).toBe('time scale 10, sample 0.1: each sent event stands for 10');
    const md = renderMarkdown(runReportBlocks(summary, timeline));
    expect(md).toMatch(/REAL run on the embedded pipeline/);
    expect(md).toMatch(/compressed \(time scale 10/);
    expect(md).not.toMatch(/NaN/);
    expect(md).toMatch(/n\/a/);
    // Read back from summary.json (the `report` command), the nulls still say n/a, not 0.
    const back = renderMarkdown(runReportBlocks(JSON.parse(summaryJson(summary)), timeline));
    expect(back).toMatch(/\| Lambda \| n\/a concurrent at peak \|  \| n\/a invocations, n\/a GB-s \|/);
    expect(back.replace("null in summary.json", "")).not.toMatch(/NaN|null/);
  });

  it('the timeline: 60 s rows from the gateway\'s minutes and the load generator\'s schedule; unmeasured cells empty', () => {
    const { timeline } = targetSummary(s, measured());
    expect(timeline.rows).toBe(10);
    expect(timeline.step).toBe(60);
    // Wall seconds 0–5 are scenario seconds 0–50: row 0 gets 6 × 20 sent × weight 10.
    expect([...timeline.columns.offered]).toEqual(Array(10).fill(1_200));
    expect(timeline.columns.accepted[0]).toBe(1_000);
    expect(timeline.columns.kinesisThrottled[0]).toBe(200);
    // Demand is fresh records, as the simulator counts it: 1,200 offered less the API's 5% rejected (600 of 12,000),
    // over 60 s; not the 1,000 accepted + 200 throttled attempts, which count retries again.
    expect(timeline.columns.kinesisDemandRps[0]).toBeCloseTo(19, 9);
    expect([...timeline.columns.shards]).toEqual([1, 1, 2, 2, 2, 2, 2, 2, 2, 2]); // the row of 150 s shows the max
    expect(timeline.columns.kinesisCapacityRps[2]).toBe(2_000);
    expect([...timeline.columns.ddbCapacityWcu]).toEqual([100, 100, 200, 200, 200, 200, 200, 200, 200, 200]);
    const csv = timelineCsv(timeline).trim().split('\n');
    const head = csv[0]!.split(',');
    const row0 = csv[1]!.split(',');
    expect(row0[head.indexOf('stored')]).toBe('');
    expect(row0[head.indexOf('rejected')]).toBe('');
    expect(row0[head.indexOf('offered')]).toBe('1200');
  });

  it('a CloudWatch minute that straddles two rows (the load did not start on a whole minute) is split by its overlap', () => {
    const run = measured();
    const short = scenario({ duration: '2m', tenants: [{ name: 't', count: 2, rate: 50, noise: 'none' }], kinesis: { shards: 1 } });
    const metered = { ...run.metered, minutes: [minute(-12, { kinesisIncomingRecords: 4_800, iteratorAgeMaxMs: 500 }), minute(48, { kinesisIncomingRecords: 6_000, iteratorAgeMaxMs: 900 })] };
    const { timeline } = targetSummary(short, { ...run, durationSeconds: 120, metered, scaling: { ...run.scaling, actions: [] } });
    // [−12, 48) clipped to [0, 48): all in row 0; [48, 108): 12/60 in row 0, 48/60 in row 1.
    expect(timeline.columns.accepted[0]).toBeCloseTo(4_800 + 6_000 * (12 / 60), 9);
    expect(timeline.columns.accepted[1]).toBeCloseTo(6_000 * (48 / 60), 9);
    expect([...timeline.columns.iteratorAgeMs]).toEqual([900, 900]);
    // Rates per second of the row: row 1's demand is its 1,200 offered, less 5% rejected, over 60 s.
    expect(timeline.columns.kinesisDemandRps[1]).toBeCloseTo(19, 9);
    const five = targetSummary(scenario({ duration: '5s', tenants: [{ name: 't', count: 2, rate: 20, noise: 'none' }] }), { ...run, metered: { ...run.metered, minutes: [minute(0, { kinesisIncomingRecords: 200, ddbConsumedWcu: 200 })] } }).timeline;
    // A 5 s run: its row's rates are over its 5 s, not over the 60 s minute (offered less 5% per 5 s; 200 WCU: 40/s).
    expect(five.columns.offered[0]).toBeGreaterThan(0);
    expect(five.columns.kinesisDemandRps[0]).toBeCloseTo((five.columns.offered[0]! * 0.95) / 5, 9);
    expect(five.columns.ddbConsumedWcu[0]).toBe(40);
  });

  it('accepted events missing after a finished drain are lost, and the audit says which and where', () => {
    const run = measured();
    const events = { ...run.events, stored: 10_900, delivered: 10_900, missing: 100 };
    const audit = { ...run.audit, missingFromS3: 10, examples: ['t-0/17', 't-1/4'], problems: ['10 accepted events are in neither DynamoDB nor S3'] } as TargetRunResult['audit'];
    const { summary } = targetSummary(s, { ...run, events, audit });
    // 10 sent × weight 10 = 100 events missing from DynamoDB and from S3.
    expect(summary.events.lost).toBe(100);
    expect(summary.audit.stored).toEqual({ reached: 10_900, lost: 100, inFlight: 0, difference: 0 });
    expect(summary.audit.delivered).toEqual({ reached: 10_900, lost: 100, inFlight: 0, difference: 0 });
    expect(summary.audit.balanced).toBe(true);
    expect(auditFailures(summary)).toEqual(['100 accepted events were lost (missing after the drain from DynamoDB and S3)']);
    expect(summary.audit.notes).toContain('missing, e.g. t-0/17, t-1/4');
    // Not drained: the same events are in flight (late), not lost.
    const late = targetSummary(s, { ...run, events, audit, drained: false }).summary;
    expect(late.events.lost).toBe(0);
    expect(late.audit.stored).toEqual({ reached: 10_900, lost: 0, inFlight: 100, difference: 0 });
  });

  it('events Kinesis took from requests answered 503 count accepted and stored, named apart; dropped are only those never put', () => {
    const run = measured();
    // Of 12,000 offered: 600 rejected (429); 400 never put after the API's retries (dropped); 11,000 in Kinesis, of
    // which 3,000 came from requests answered 503 for the dropped ones (put but unacknowledged) and 8,000 got a 2xx.
    const events = { ...run.events, putUnacknowledged: 3_000 };
    const { summary } = targetSummary(s, { ...run, events });
    expect(summary.events).toMatchObject({ offered: 12_000, accepted: 11_000, rejected: 600, dropped: 400, stored: 11_000, lost: 0 });
    expect(summary.audit.balanced).toBe(true);
    expect(summary.audit.stored).toEqual({ reached: 11_000, lost: 0, inFlight: 0, difference: 0 });
    expect(summary.audit.notes[0]).toBe(
      '3,000 of the 11,000 accepted events reached Kinesis in requests answered 503 for others of theirs that were dropped (put but unacknowledged): they are stored, and counted accepted as the simulator counts per record; 8,000 were answered 2xx',
    );
  });

  it('how the drain ended decides between late and lost: at its cap still progressing, in flight; stalled, lost', () => {
    const run = measured();
    const base = { stallSeconds: 60, capSeconds: 600, ratePerSecond: 5 };
    // At the cap the audit counts the 50 sent events not stored yet as late (the processor was still catching up).
    const lateEvents = { ...run.events, stored: 10_500, delivered: 10_500, missing: 0, late: 500 };
    const atCap = targetSummary(s, { ...run, events: lateEvents, drained: false, drain: { ...base, end: 'cap', seconds: 600, outstanding: 50 } }).summary;
    expect(atCap.events.lost).toBe(0);
    expect(atCap.audit.stored).toEqual({ reached: 10_500, lost: 0, inFlight: 500, difference: 0 });
    expect(atCap.audit.delivered).toEqual({ reached: 10_500, lost: 0, inFlight: 500, difference: 0 });
    expect(atCap.audit.inFlightAtEnd.stream).toBe(500);
    expect(atCap.audit.balanced).toBe(true);
    expect(atCap.audit.notes.some((n) => n.startsWith('drain: stopped waiting at the 600 s cap with the processor still catching up (50 events/s): 500 events outstanding are late'))).toBe(true);
    // Stalled: nothing moved for the stall window, so the 500 missing are lost.
    const missingEvents = { ...run.events, stored: 10_500, delivered: 10_500, missing: 500 };
    const audit = { ...run.audit, missingFromS3: 50 } as TargetRunResult['audit'];
    const stalled = targetSummary(s, { ...run, events: missingEvents, audit, drained: false, drain: { ...base, end: 'stalled', seconds: 90, outstanding: 50 } }).summary;
    expect(stalled.events.lost).toBe(500);
    expect(stalled.audit.stored).toEqual({ reached: 10_500, lost: 500, inFlight: 0, difference: 0 });
    expect(stalled.audit.delivered).toEqual({ reached: 10_500, lost: 500, inFlight: 0, difference: 0 });
    expect(auditFailures(stalled)).toEqual(['500 accepted events were lost (missing after the drain from DynamoDB and S3)']);
  });

  it('at the scenario\'s own pace the processor\'s batches are the Lambda invocations, priced per request', () => {
    const run = { ...measured(), timeScale: 1, sample: 1, weight: 1 };
    const { summary } = targetSummary(s, run);
    expect(summary.lambda.invocations).toBe(90);
    expect(summary.cost.byService.lambda).toBeCloseTo(90 * 0.2e-6, 9); // $0.20 per million requests; duration not priced
    expect(summary.notMeasured).not.toContain('lambda.invocations');
    expect(summary.assumptions.some((a) => a.parameter === 'compressed run')).toBe(false);
  });
});
