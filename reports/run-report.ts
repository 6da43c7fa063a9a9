/**
 * The run report (report.md and report.html): the scenario in a paragraph, a verdict, charts of offered load against
 * provisioned capacity with the scaling actions marked, throttles, iterator age and cost by service, the summary's
 * tables, the price table used (each price with its source, date and confidence) and the model's assumptions.
 * Writers are pure: `(summary, timeline, options) => string`.
 */
import type { ExpectationResult } from '../sim/expectations.ts';
import { RECORD_LIMITS } from '../sim/record-limits.ts';
import { SOURCES_PAGE, citeSources, sourceLink } from '../sim/sources.ts';
import { auditFailures, type Summary } from '../sim/summary.ts';
import { type Block, type Chart, renderHtml, renderMarkdown } from './doc.ts';
import { bytes, int, money, ms, num, pct, seconds, share, unitPrice } from './format.ts';
import { CATEGORICAL, PALETTE, type Marker, downsample, lineChart, stackedBars, timeAxis } from './svg-chart.ts';
import { auditLines } from './audit-text.ts';
import type { TimelineData } from './timeline-data.ts';
import { fidelityBlocks, type FidelitySection } from './fidelity-report.ts';

export interface RunReportOptions {
  /** Results of the scenario's `expect:` section, when the caller evaluated them. */
  expectations?: readonly ExpectationResult[];
  /** Points per chart line; longer timelines are bucketed (max per bucket for spikes). Default 600. */
  maxPoints?: number;
  /** Where report.md finds the chart images, relative to it. Default `charts`. */
  chartDir?: string;
  /** A `scenario --compare` run: the "Simulator vs real pipeline" section (reports/fidelity-report.ts). */
  fidelity?: FidelitySection;
}

/** Display names of the cost meter's services; the ingest tier and processor follow the run's architecture. */
export function serviceLabel(service: string): string {
  return (
    ({
      apiGateway: 'API Gateway',
      kinesis: 'Kinesis',
      lambda: 'Lambda',
      dynamodb: 'DynamoDB',
      firehose: 'Firehose',
      s3: 'S3',
      elb: 'Load balancer (ALB)',
      ec2: 'EC2 fleets',
    }) as Record<string, string>
  )[service] ?? service;
}

export const SERVICE_ORDER = ['apiGateway', 'elb', 'kinesis', 'lambda', 'ec2', 'dynamodb', 'firehose', 's3'] as const;

/** One colour per service, the same in every report, kept apart from each other in a stacked bar. */
const SERVICE_COLORS: Record<string, string> = {
  apiGateway: '#1c7ed6',
  elb: '#e8590c',
  kinesis: '#2b8a3e',
  lambda: '#862e9c',
  ec2: '#c92a2a',
  dynamodb: '#0b7285',
  firehose: '#f59f00',
  s3: '#868e96',
};

export function serviceColor(service: string): string {
  return SERVICE_COLORS[service] ?? CATEGORICAL[8]!;
}

/** The run's services with a cost, in pipeline order (then any others). */
export function costServices(byService: Record<string, number>): string[] {
  const known = SERVICE_ORDER.filter((s) => (byService[s] ?? 0) > 0);
  const other = Object.keys(byService).filter((s) => !(SERVICE_ORDER as readonly string[]).includes(s) && (byService[s] ?? 0) > 0).sort();
  return [...known, ...other];
}

/** The record limits an event must fit (sim/record-limits.ts), in words. */
export const recordLimitText = `a Kinesis record holds ${bytes(RECORD_LIMITS.kinesisBytes)} with its partition key, a Firehose record ${int(RECORD_LIMITS.firehoseBytes / 1024)} KiB`;

/** The pipeline as the run modelled it, in one line. */
export function architectureLine(s: Summary): string {
  const api =
    s.apiGateway.type === 'alb'
      ? `an ALB in front of a fixed fleet (${int(s.apiGateway.fleetRequestsPerSecond ?? 0)} requests/s)`
      : `API Gateway (${s.apiGateway.type.toUpperCase()} API)`;
  const k = s.kinesis;
  const stream =
    k.mode === 'on-demand'
      ? 'Kinesis on-demand'
      : `Kinesis provisioned, ${k.shardsInitial} shard${k.shardsInitial === 1 ? '' : 's'}${k.shardsMax !== k.shardsInitial ? ` (up to ${k.shardsMax})` : ''}`;
  const p = s.processor;
  const processor =
    p?.type === 'kcl' ? `a KCL consumer on ${p.instances} instance${p.instances === 1 ? '' : 's'} (${int(p.recordsPerSecondPerWorker ?? 0)} records/s per worker)` : 'Lambda';
  const ddb = s.dynamodb.mode === 'on-demand' ? 'DynamoDB on-demand' : `DynamoDB provisioned (up to ${int(s.dynamodb.writeCapacityMax)} WCU)`;
  return `${api} → ${stream} → ${processor} → ${ddb} (${s.dynamodb.tables} table${s.dynamodb.tables === 1 ? '' : 's'}) and Firehose → S3`;
}

/**
 * This run's own figures, computed from the summary: the mean offered rate against the stream's starting capacity.
 * The description is the scenario author's text and may name other numbers (`--set kinesis.shards=16` does not
 * rewrite "60% of 4 shards"); this line is always the run's.
 */
export function runFiguresLine(s: Summary): string {
  const rate = s.durationSeconds > 0 ? s.events.offered / s.durationSeconds : 0;
  const k = s.kinesis;
  const stream =
    k.mode === 'on-demand'
      ? 'Kinesis on-demand'
      : `${int(k.shardsInitial)} shard${k.shardsInitial === 1 ? '' : 's'} (${int(k.shardsInitial * 1000)} records/s, ${pct(rate, k.shardsInitial * 1000)} of it on average${k.shardsMax !== k.shardsInitial ? `; up to ${int(k.shardsMax)} shards` : ''})`;
  const ddb = s.dynamodb.mode === 'on-demand' ? 'DynamoDB on-demand' : `DynamoDB up to ${int(s.dynamodb.writeCapacityMax)} WCU`;
  return `${num(rate, 1)} events/s offered on average into ${stream}; ${ddb}`;
}

/** The scenario in one paragraph: the author's description (marked as such), then what this run computed. */
export function scenarioParagraph(s: Summary): string {
  const desc = s.description.trim();
  const how = s.target === 'sim' ? `simulated ${seconds(s.durationSeconds)} at ${seconds(s.resolutionSeconds)} resolution` : `ran ${seconds(s.durationSeconds)} of scenario time on the real ${s.target} pipeline, timeline at ${seconds(s.resolutionSeconds)} (the gateway's CloudWatch minutes)`;
  const run = `This run: ${how} (seed ${s.seed}, ${s.region}), ${runFiguresLine(s)}; ${int(s.events.offered)} events offered through ${architectureLine(s)}.`;
  return desc ? `Scenario description (the author's text; overrides may have changed its figures): ${desc} ${run}` : run;
}

/** First time (s) the timeline shows Kinesis demand above capacity, if any. */
function firstUnderProvisioned(t: TimelineData | undefined): number | null {
  if (!t) return null;
  const d = t.columns.kinesisDemandRps;
  const c = t.columns.kinesisCapacityRps;
  for (let r = 0; r < t.rows; r++) if (d[r]! > c[r]! * 1.000001 && c[r]! > 0) return r * t.step;
  return null;
}

/**
 * The verdict's first sentence when the run's numbers cannot be taken to a review (the audit does not balance, or
 * accepted events were lost), else undefined.
 */
export function auditSentence(s: Summary): string | undefined {
  const failures = auditFailures(s);
  return failures.length ? `FAILED: ${failures.join('; ')}.` : undefined;
}

/** What got through, as shares of offered load: stored in DynamoDB, delivered to S3, and what was still on its way. */
export function throughputSentence(s: Summary): string {
  const e = s.events;
  const f = s.audit.inFlightAtEnd;
  const pending = f.kinesisRetries + f.stream + f.firehoseBuffer;
  const stored = `${share(e.stored, e.offered)} of offered events stored in DynamoDB`;
  const delivered = e.delivered === e.stored ? 'and delivered to S3' : `and ${share(e.delivered, e.offered)} delivered to S3`;
  return `${stored} ${delivered}${pending >= 1 ? ` (${int(pending)} still in flight when the drain stopped)` : ''}.`;
}

/**
 * A judgement of the run, from the summary (and timeline, for when trouble started): first, plainly, whether the
 * numbers add up and nothing accepted was lost; then the share of offered load that was stored and delivered; then
 * what went wrong and the cost.
 */
export function verdict(s: Summary, timeline?: TimelineData, expectations?: readonly ExpectationResult[]): { text: string; ok: boolean } {
  const e = s.events;
  const parts: string[] = [];
  const audit = auditSentence(s);
  const k = s.scaling.kinesis;
  const d = s.scaling.dynamodb;
  const troubled = e.dropped >= 1 || e.rejected >= 1 || e.lost >= 1 || s.kinesis.throttledRecords >= 1 || s.dynamodb.throttledRequests >= 1 || s.firehose.throttledRecords >= 1;
  const lagged: string[] = [];
  if (k.underProvisionedSeconds > 0) {
    const from = firstUnderProvisioned(timeline);
    lagged.push(`Kinesis under-provisioned for ${seconds(k.underProvisionedSeconds)}${from !== null ? ` from ${seconds(from)}` : ''} (longest ${seconds(k.lagSeconds)}${k.firstScaleUpAtSeconds !== null ? `, first scale-up at ${seconds(k.firstScaleUpAtSeconds)}` : ''})`);
  }
  if (d.underProvisionedSeconds > 0) lagged.push(`DynamoDB under-provisioned for ${seconds(d.underProvisionedSeconds)} (longest ${seconds(d.lagSeconds)})`);
  if (lagged.length) parts.push(lagged.join('; '));
  else if (!troubled) parts.push('Capacity kept up: nothing rejected, throttled, dropped or lost');
  if (e.dropped >= 1) parts.push(`${int(e.dropped)} events dropped after retries (${pct(e.dropped, e.offered)} of offered)`);
  if (e.rejected >= 1) parts.push(`${int(e.rejected)} rejected at the API (${pct(e.rejected, e.offered)} of offered)`);
  if (e.lost >= 1) parts.push(`${int(e.lost)} accepted events lost (expired in the stream)`);
  if (s.kinesis.throttledRecords >= 1 && e.dropped < 1) parts.push(`${int(s.kinesis.throttledRecords)} Kinesis records throttled, all retried`);
  if (s.dynamodb.throttledRequests >= 1) parts.push(`${int(s.dynamodb.throttledRequests)} DynamoDB writes throttled`);
  if (s.kinesis.maxIteratorAgeMs >= 60_000) parts.push(`iterator age up to ${ms(s.kinesis.maxIteratorAgeMs)}`);
  parts.push(s.cost.perMillionEventsUsd === null ? 'no event delivered, so no cost per event' : `${money(s.cost.perMillionEventsUsd)} per million delivered events`);
  let ok = !troubled && s.kinesis.maxIteratorAgeMs < 60_000 && audit === undefined;
  if (expectations && expectations.length > 0) {
    const failed = expectations.filter((x) => !x.pass);
    parts.push(failed.length === 0 ? `all ${expectations.length} expectations met` : `${failed.length} of ${expectations.length} expectations failed (${failed.map((f) => `${f.key} ${f.expected}`).join('; ')})`);
    ok = failed.length === 0 && ok;
  }
  return { text: [audit, throughputSentence(s), parts.join('; ') + '.'].filter(Boolean).join(' '), ok };
}

/** The throttles chart's title names only what it draws: throttles, drops, rejections. */
export function throttleTitle(labels: readonly string[]): string {
  const kinds = [
    labels.some((l) => /throttled/.test(l)) ? 'throttles' : '',
    labels.some((l) => /rejected/.test(l)) ? 'rejections' : '',
    labels.some((l) => /dropped/.test(l)) ? 'drops' : '',
  ].filter(Boolean);
  const text = kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1)}` : kinds[0]!;
  return text[0]!.toUpperCase() + text.slice(1);
}

/** Seconds of the timeline in which the table consumed above its provisioned WCU: only burst credits allow that. */
export function burstCredits(t: TimelineData): number {
  let seconds = 0;
  for (let r = 0; r < t.rows; r++) {
    const cap = t.columns.ddbCapacityWcu[r]!;
    if (cap > 0 && t.columns.ddbConsumedWcu[r]! > cap * 1.001) seconds += t.step;
  }
  return seconds;
}

function actionMarkers(s: Summary, service: 'kinesis' | 'dynamodb'): Marker[] {
  return s.scaling.actions
    .filter((a) => a.service === service)
    .map((a) => ({
      x: a.atSeconds,
      label: a.refusal ? `refused ${int(a.to)}` : `${int(a.from)}→${int(a.to)}${service === 'kinesis' ? ' shards' : ' WCU'}`,
      color: a.refusal ? PALETTE.drop : PALETTE.marker,
    }));
}

/** The run's charts; those needing the timeline are left out without one. */
export function runCharts(s: Summary, t: TimelineData | undefined, options: RunReportOptions = {}): Chart[] {
  const charts: Chart[] = [];
  const max = options.maxPoints ?? 600;
  if (t && t.rows > 0) {
    const axis = timeAxis(t.rows * t.step);
    const x = Float64Array.from({ length: t.rows }, (_, r) => r * t.step);
    const ds = (col: ArrayLike<number>, how: 'max' | 'mean' = 'max', scale = 1) => {
      const d = downsample(x, col, max, how);
      return { x: d.x, values: scale === 1 ? d.values : d.values.map((v) => v * scale) };
    };
    const kd = ds(t.columns.kinesisDemandRps);
    const kc = ds(t.columns.kinesisCapacityRps);
    charts.push({
      id: 'kinesis-capacity',
      title: 'Kinesis: offered write load vs provisioned capacity (records/s)',
      svg: lineChart({
        id: 'kinesis-capacity',
        title: 'Kinesis: offered write load vs provisioned capacity (records/s)',
        x: kd.x,
        series: [
          { label: s.kinesis.mode === 'on-demand' ? 'capacity (on-demand)' : 'capacity (shards × 1,000 records/s)', values: kc.values, color: PALETTE.capacity, step: true, fill: true },
          { label: 'offered (first attempts)', values: kd.values, color: PALETTE.demand },
        ],
        markers: actionMarkers(s, 'kinesis'),
        xLabel: axis.label,
        yLabel: 'records/s',
        formatX: axis.format,
        xUnit: axis.unit,
      }),
      caption: 'Pink above the blue step is load the stream could not take; dashed lines are autoscaler actions (UpdateShardCount requests, capacity arrives after the reshard completes).',
    });
    if (s.dynamodb.mode === 'provisioned') {
      const dd = ds(t.columns.ddbDemandWcu);
      const dc = ds(t.columns.ddbCapacityWcu);
      const du = ds(t.columns.ddbConsumedWcu);
      charts.push({
        id: 'dynamodb-capacity',
        title: 'DynamoDB: write demand vs provisioned WCU (current table)',
        svg: lineChart({
          id: 'dynamodb-capacity',
          title: 'DynamoDB: write demand vs provisioned WCU (current table)',
          x: dd.x,
          series: [
            { label: 'provisioned WCU', values: dc.values, color: PALETTE.capacity, step: true, fill: true },
            { label: 'write demand (WCU/s attempted)', values: dd.values, color: PALETTE.demand },
            { label: 'consumed WCU/s', values: du.values, color: PALETTE.age, dash: '5 3', width: 1.5 },
          ],
          markers: actionMarkers(s, 'dynamodb'),
          xLabel: axis.label,
          yLabel: 'write capacity units/s',
          formatX: axis.format,
        xUnit: axis.unit,
        }),
        caption:
          'Demand includes retried writes; dashed lines are UpdateTable requests by the table autoscaler.' +
          (burstCredits(t)
            ? ` Consumed above provisioned (${seconds(burstCredits(t))} of it here) is burst capacity: DynamoDB lends up to 300 s of unused capacity, best effort, even while it throttles the rest (${sourceLink('3.2')}).`
            : ''),
      });
    }
    const per = 1 / t.step;
    const th = [
      { label: 'Kinesis throttled records', col: t.columns.kinesisThrottled, color: PALETTE.throttle },
      { label: 'dropped after retries', col: t.columns.dropped, color: PALETTE.drop },
      { label: 'rejected at the API', col: t.columns.rejected, color: PALETTE.reject },
      { label: 'DynamoDB throttled writes', col: t.columns.ddbThrottled, color: CATEGORICAL[5] },
      { label: 'Firehose throttled records', col: t.columns.firehoseThrottled, color: CATEGORICAL[7] },
    ].filter((c) => c.col.some((v) => v > 0));
    if (th.length > 0) {
      const first = ds(th[0]!.col, 'max', per);
      const title = `${throttleTitle(th.map((c) => c.label))} (per second, peak per bucket)`;
      charts.push({
        id: 'throttles',
        title,
        svg: lineChart({
          id: 'throttles',
          title,
          x: first.x,
          series: th.map((c) => ({ label: c.label, values: ds(c.col, 'max', per).values, color: c.color })),
          markers: actionMarkers(s, 'kinesis'),
          xLabel: axis.label,
          yLabel: 'per second',
          formatX: axis.format,
        xUnit: axis.unit,
        }),
        caption: 'Throttled records are retried (and counted again each time); dropped ones are lost to the client after the retry budget.',
      });
    }
    const age = ds(t.columns.iteratorAgeMs, 'max', 1 / 1000);
    charts.push({
      id: 'iterator-age',
      title: 'Iterator age: how far the processor is behind (seconds)',
      svg: lineChart({
        id: 'iterator-age',
        title: 'Iterator age: how far the processor is behind (seconds)',
        x: age.x,
        series: [{ label: 'iterator age (max per bucket)', values: age.values, color: PALETTE.age }],
        markers: actionMarkers(s, 'kinesis'),
        xLabel: axis.label,
        yLabel: 'seconds',
        formatX: axis.format,
        xUnit: axis.unit,
      }),
      caption: 'Age of the oldest record not yet written to DynamoDB and Firehose; 0–2 s means caught up.',
    });
  }
  const services = costServices(s.cost.byService);
  charts.push({
    id: 'cost-by-service',
    title: `Cost by service: ${money(s.cost.totalUsd)} for the run`,
    svg: stackedBars({
      id: 'cost-by-service',
      title: `Cost by service: ${money(s.cost.totalUsd)} for the run${s.cost.perMillionEventsUsd !== null ? `, ${money(s.cost.perMillionEventsUsd)} per million delivered events` : ''}`,
      bars: [{ label: s.scenario, segments: services.map((sv) => ({ label: `${serviceLabel(sv)} ${money(s.cost.byService[sv] ?? 0)}`, value: s.cost.byService[sv] ?? 0, color: serviceColor(sv) })) }],
      format: money,
    }),
    caption: 'List prices from the price table below; every line there names its source and date.',
  });
  return charts;
}

/** Every billed line with its price's source, date and confidence. */
export function priceTable(s: Summary): Block {
  return {
    kind: 'table',
    head: ['service', 'item', 'tier', 'quantity', 'unit', 'unit price', 'cost', 'source', 'as of', 'confidence'],
    align: ['l', 'l', 'l', 'r', 'l', 'r', 'r', 'l', 'l', 'l'],
    rows: s.cost.lines.map((l) => [
      serviceLabel(l.service),
      l.item,
      l.tier ?? '',
      num(l.quantity, 4),
      l.unit,
      unitPrice(l.unitPriceUsd),
      money(l.usd),
      l.source + (l.sameAsRegion ? ` (stated equal to ${l.sameAsRegion})` : ''),
      l.asOf,
      l.confidence,
    ]),
  };
}

export function runReportBlocks(s: Summary, timeline: TimelineData | undefined, options: RunReportOptions = {}): Block[] {
  const blocks = runReportBlocksOf(s.target === 'sim' ? s : notMeasuredAsNaN(s), timeline, options);
  // A real run's unmeasured figures are NaN (null in summary.json): the report says n/a, never a number.
  return s.target === 'sim' ? blocks : blocks.map(notApplicable);
}

function notApplicable(block: Block): Block {
  const fix = (text: string) => text.replace(/\bNaN\b/g, 'n/a');
  if (block.kind === 'table') return { ...block, rows: block.rows.map((r) => r.map(fix)) } as Block;
  if ('text' in block && typeof block.text === 'string') return { ...block, text: fix(block.text) } as Block;
  if (block.kind === 'list') return { ...block, items: block.items.map(fix) } as Block;
  return block;
}

function runReportBlocksOf(s: Summary, timeline: TimelineData | undefined, options: RunReportOptions): Block[] {
  const e = s.events;
  const b: Block[] = [];
  b.push({ kind: 'h1', text: `Run report: ${s.scenario}` });
  b.push({ kind: 'p', text: scenarioParagraph(s) });
  if (s.target !== 'sim') b.push(...realRunBlocks(s));
  const v = verdict(s, timeline, options.expectations);
  b.push({ kind: 'verdict', text: v.text, ok: v.ok });
  for (const w of s.warnings ?? []) b.push({ kind: 'note', text: `Warning: ${w}.` });
  if (!options.expectations) b.push({ kind: 'note', text: 'Expectations were not evaluated for this report (run `ingestlab check` on the scenario).' });
  if (options.fidelity) b.push(...fidelityBlocks(options.fidelity, timeline, s.durationSeconds, options.maxPoints));

  b.push({ kind: 'h2', text: 'Charts' });
  if (!timeline) b.push({ kind: 'note', text: 'No timeline.csv beside summary.json: the charts over time are left out; only cost by service is shown.' });
  for (const chart of runCharts(s, timeline, options)) b.push({ kind: 'chart', chart });

  b.push({ kind: 'h2', text: 'Events' });
  b.push({
    kind: 'table',
    head: ['', 'events', 'share'],
    align: ['l', 'r', 'r'],
    rows: [
      ['offered', int(e.offered), ''],
      ['accepted', int(e.accepted), pct(e.accepted, e.offered)],
      ['rejected at the API', int(e.rejected), pct(e.rejected, e.offered)],
      ['dropped after retries', int(e.dropped), pct(e.dropped, e.offered)],
      ['stored (DynamoDB)', int(e.stored), `${share(e.stored, e.offered)} of offered`],
      ['delivered (S3)', int(e.delivered), `${share(e.delivered, e.offered)} of offered`],
      [s.target === 'sim' ? 'lost (expired in the stream)' : 'lost (missing after the drain, or dead-lettered)', int(e.lost), pct(e.lost, e.accepted) + ' of accepted'],
    ],
  });
  const [auditHead, ...auditSides] = auditLines(s);
  b.push({ kind: 'p', text: `${auditHead!.replace(/^audit/, 'Audit')}.` });
  if (auditSides.length) b.push({ kind: 'list', items: auditSides.map((l) => l.trim()) });

  b.push({ kind: 'h2', text: 'Services' });
  const a = s.apiGateway;
  const k = s.kinesis;
  b.push({
    kind: 'table',
    head: ['service', 'capacity', 'throttled / refused', 'detail'],
    rows: [
      [
        a.type === 'alb' ? 'ALB + fleet' : 'API Gateway',
        a.type === 'alb' ? `${int(a.fleetRequestsPerSecond ?? 0)} requests/s` : a.type.toUpperCase(),
        `${int(e.rejected)} events rejected`,
        [
          `${int(a.requests)} requests`,
          a.rejectedTenantLimit >= 1 ? `${int(a.rejectedTenantLimit)} over tenant limit` : '',
          a.rejectedAccountLimit >= 1 ? `${int(a.rejectedAccountLimit)} over account limit` : '',
          (a.rejectedFleetCapacity ?? 0) >= 1 ? `${int(a.rejectedFleetCapacity ?? 0)} over fleet capacity` : '',
          a.rejectedPayload >= 1 ? `${int(a.rejectedPayload)} over 10 MB` : '',
          (a.rejectedRecordSize ?? 0) >= 1 ? `${int(a.rejectedRecordSize ?? 0)} larger than a record (${recordLimitText})` : '',
        ].filter(Boolean).join(', '),
      ],
      [
        'Kinesis',
        k.mode === 'on-demand' ? `on-demand (~${k.shardsMax} shards at peak)` : [...new Set([k.shardsInitial, k.shardsMax, k.shardsFinal])].join(' → ') + ' shards',
        `${int(k.throttledRecords)} records`,
        `${k.reshards} reshards, ${num(k.shardHours, 2)} shard-hours, max iterator age ${ms(k.maxIteratorAgeMs)}`,
      ],
      s.processor?.type === 'kcl'
        ? ['KCL fleet', `${s.processor.instances} instances`, '', `${int(s.lambda.invocations)} GetRecords batches, ${num(s.lambda.maxConcurrency, 1)} workers busy at peak`]
        : ['Lambda', `${num(s.lambda.maxConcurrency, 1)} concurrent at peak`, '', `${int(s.lambda.invocations)} invocations, ${int(s.lambda.gbSeconds)} GB-s`],
      [
        'DynamoDB',
        s.dynamodb.mode === 'on-demand' ? 'on-demand' : `up to ${int(s.dynamodb.writeCapacityMax)} WCU`,
        `${int(s.dynamodb.throttledRequests)} requests`,
        `${s.dynamodb.tables} table${s.dynamodb.tables === 1 ? '' : 's'}, ${num(s.dynamodb.capacityUnitHours, 1)} capacity-unit-hours${s.dynamodb.tableRefusals.length ? `; refused: ${s.dynamodb.tableRefusals.join('; ')}` : ''}`,
      ],
      ['Firehose', '', `${int(s.firehose.throttledRecords)} records`, `${int(s.firehose.objects)} S3 objects, ${bytes(s.firehose.bytes)}`],
    ],
  });

  b.push({ kind: 'h2', text: 'Scaling' });
  b.push({
    kind: 'table',
    head: ['service', 'scaling lag (longest)', 'under-provisioned in all', 'first scale-up'],
    rows: [
      ['Kinesis', seconds(s.scaling.kinesis.lagSeconds), seconds(s.scaling.kinesis.underProvisionedSeconds), s.scaling.kinesis.firstScaleUpAtSeconds === null ? '—' : seconds(s.scaling.kinesis.firstScaleUpAtSeconds)],
      ['DynamoDB', seconds(s.scaling.dynamodb.lagSeconds), seconds(s.scaling.dynamodb.underProvisionedSeconds), '—'],
    ],
  });
  if (s.scaling.actions.length > 0) {
    b.push({
      kind: 'table',
      head: ['at', 'service', 'resource', 'from → to', 'outcome', 'reason'],
      rows: s.scaling.actions.map((x) => [seconds(x.atSeconds), x.service, x.resource, `${int(x.from)} → ${int(x.to)}`, x.refusal ? `REFUSED: ${x.refusal}` : 'applied', x.reason]),
    });
  } else b.push({ kind: 'p', text: 'No scaling actions.' });

  b.push({ kind: 'h2', text: 'Latency' });
  b.push({
    kind: 'table',
    head: ['', 'p50', 'p95', 'p99', 'max'],
    align: ['l', 'r', 'r', 'r', 'r'],
    rows: [
      ['end to end (accepted → stored and delivered)', ms(s.latencyMs.p50), ms(s.latencyMs.p95), ms(s.latencyMs.p99), ms(s.latencyMs.max)],
      ['ingest API (incl. PutRecords retries)', ms(s.ingestLatencyMs.p50), ms(s.ingestLatencyMs.p95), ms(s.ingestLatencyMs.p99), ms(s.ingestLatencyMs.max)],
    ],
  });

  if (options.expectations && options.expectations.length > 0) {
    b.push({ kind: 'h2', text: 'Expectations' });
    b.push({
      kind: 'table',
      head: ['key', 'expected', 'actual', 'result', 'detail'],
      rows: options.expectations.map((x) => [x.key, x.expected, x.actual === null ? 'null' : num(x.actual, 4), x.pass ? 'met' : 'FAILED', x.detail ?? '']),
    });
  }

  b.push({ kind: 'h2', text: 'Cost' });
  b.push({
    kind: 'p',
    text: `${money(s.cost.totalUsd)} for the run (${seconds(s.durationSeconds)}), ${s.cost.perMillionEventsUsd === null ? 'no event delivered' : `${money(s.cost.perMillionEventsUsd)} per million delivered events (stored and in S3)`}; ${s.cost.region} list prices, ${s.cost.priceDate ? `in force on ${s.cost.priceDate}` : 'newest known'}. Tiers apply to this run's own usage; free tiers are not applied.`,
  });
  b.push({
    kind: 'table',
    head: ['service', 'cost', 'share'],
    align: ['l', 'r', 'r'],
    rows: costServices(s.cost.byService).map((sv) => [serviceLabel(sv), money(s.cost.byService[sv] ?? 0), pct(s.cost.byService[sv] ?? 0, s.cost.totalUsd)]),
  });
  b.push({ kind: 'h3', text: 'Price table used' });
  b.push({ kind: 'p', text: `Each price with its source, the date it was read and how sure it is; the source keys (price-db, 3rd-party, UNCONFIRMED) and every AWS limit the model uses are listed in ${SOURCES_PAGE}.` });
  b.push(priceTable(s));
  const unconfirmed = s.cost.lines.filter((l) => l.confidence === 'UNCONFIRMED' || l.confidence === '3rd-party');
  if (unconfirmed.length > 0) {
    b.push({ kind: 'note', text: `${unconfirmed.length} line(s) priced from 3rd-party or UNCONFIRMED sources (${[...new Set(unconfirmed.map((l) => l.item))].join(', ')}): check them, or pass your own with --prices FILE.` });
  }

  b.push({ kind: 'h2', text: 'Assumptions' });
  b.push({ kind: 'p', text: 'Parameters AWS does not document (UNCONFIRMED) and simplifications, with the values this run used:' });
  // Older summary.json files cite aws-reference sections; readers get the repository's sources page.
  b.push({ kind: 'table', head: ['parameter', 'value', 'why'], rows: s.assumptions.map((x) => [x.parameter, x.value, citeSources(x.why)]) });
  return b;
}

export function runReportMarkdown(summary: Summary, timeline: TimelineData | undefined, options: RunReportOptions = {}): string {
  return renderMarkdown(runReportBlocks(summary, timeline, options), options.chartDir !== undefined ? { chartDir: options.chartDir } : {});
}

export function runReportHtml(summary: Summary, timeline: TimelineData | undefined, options: RunReportOptions = {}): string {
  return renderHtml(`ingestlab run report: ${summary.scenario}`, runReportBlocks(summary, timeline, options));
}

/**
 * What a run on the real pipeline says first: that it is one, on which target, whether it was compressed or sampled and
 * what that affects (the target-run assumptions say it), and which figures it could not measure (shown as n/a).
 */
function realRunBlocks(s: Summary): Block[] {
  const compressed = s.assumptions.find((a) => a.parameter === 'compressed run');
  const blocks: Block[] = [
    {
      kind: 'note',
      text:
        `This is a REAL run on the ${s.target} pipeline, not a simulation: counts come from the load generator, the quota gateway, the processor and an audit of what DynamoDB and S3 hold; latencies are wall-clock milliseconds (ingest: the load generator, from each request's intended send time; end to end: the processor); cost prices the metered usage with the simulator's price table.` +
        (compressed ? ` It was compressed (${compressed.value}): ${compressed.why}.` : ' It ran at the scenario\'s own pace (time scale 1, every event sent).'),
    },
  ];
  if (s.notMeasured?.length) blocks.push({ kind: 'note', text: `Not measured on this run (n/a below, null in summary.json, never 0): ${s.notMeasured.join('; ')}.` });
  return blocks;
}

/**
 * A real run's summary.json read back: the figures it could not measure are null there (NaN when it was written);
 * they become NaN again so the report says n/a rather than 0. Only the figures a real run may leave unmeasured.
 */
function notMeasuredAsNaN(s: Summary): Summary {
  const n = (x: number | null | undefined) => (x === null ? NaN : x);
  const lat = (l: Summary['latencyMs']) => ({ p50: n(l.p50)!, p95: n(l.p95)!, p99: n(l.p99)!, max: n(l.max)! });
  return {
    ...s,
    apiGateway: { ...s.apiGateway, rejectedAccountLimit: n(s.apiGateway.rejectedAccountLimit)!, rejectedPayload: n(s.apiGateway.rejectedPayload)! },
    kinesis: { ...s.kinesis, throttledRecords: n(s.kinesis.throttledRecords)! },
    lambda: { ...s.lambda, invocations: n(s.lambda.invocations)!, gbSeconds: n(s.lambda.gbSeconds)!, maxConcurrency: n(s.lambda.maxConcurrency)! },
    dynamodb: { ...s.dynamodb, throttledRequests: n(s.dynamodb.throttledRequests)! },
    firehose: { ...s.firehose, throttledRecords: n(s.firehose.throttledRecords)!, objects: n(s.firehose.objects)!, bytes: n(s.firehose.bytes)! },
    latencyMs: lat(s.latencyMs),
    scaling: {
      ...s.scaling,
      kinesis: { ...s.scaling.kinesis, lagSeconds: n(s.scaling.kinesis.lagSeconds)!, underProvisionedSeconds: n(s.scaling.kinesis.underProvisionedSeconds)! },
      dynamodb: { lagSeconds: n(s.scaling.dynamodb.lagSeconds)!, underProvisionedSeconds: n(s.scaling.dynamodb.underProvisionedSeconds)! },
    },
  };
}
