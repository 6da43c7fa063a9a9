/**
 * The readable summary a terminal user sees after a run: events and the audit, each service's capacity and
 * throttling, scaling actions with their reasons, latency and cost, with a chart of Kinesis demand against capacity.
 */
import asciichart from 'asciichart';
import type { Summary } from '../sim/summary.ts';
import type { Timeline } from '../sim/timeline.ts';
import { bytes, int, money, ms, num, pct, seconds, share, table } from './format.ts';
import { auditLines } from './audit-text.ts';
import { recordLimitText, runFiguresLine, verdict } from './run-report.ts';
import { downsample } from './svg-chart.ts';

export interface SummaryTextOptions {
  /** ANSI colours (only on a terminal). */
  color?: boolean;
  /** Chart width in columns. */
  width?: number;
}

export function summaryText(summary: Summary, timeline: Timeline | undefined, options: SummaryTextOptions = {}): string {
  const s = summary;
  const e = s.events;
  const out: string[] = [];
  const bold = (x: string) => (options.color ? `\x1b[1m${x}\x1b[22m` : x);
  out.push(bold(`${s.scenario}`) + (s.description ? ` — “${firstSentence(s.description)}” (the scenario's description)` : ''));
  out.push(`this run: ${runFiguresLine(s)}`);
  out.push(
    `simulated ${seconds(s.durationSeconds)} at ${seconds(s.resolutionSeconds)} resolution, seed ${s.seed}, ${s.region}` +
      (s.drainSeconds > 0 ? `; drained in ${seconds(s.drainSeconds)}` : ''),
  );
  const v = verdict(s);
  out.push((options.color ? (v.ok ? '\x1b[32m' : '\x1b[31m') : '') + bold('Verdict') + (options.color ? '\x1b[39m' : '') + `  ${v.text}`);
  for (const w of s.warnings ?? []) out.push(`warning: ${w}`);
  out.push('');
  out.push(bold('Events'));
  out.push(
    table([
      ['offered', int(e.offered), ''],
      ['accepted', int(e.accepted), pct(e.accepted, e.offered)],
      ['rejected (API 4xx)', int(e.rejected), pct(e.rejected, e.offered)],
      ['dropped (after retries)', int(e.dropped), pct(e.dropped, e.offered)],
      ['stored (DynamoDB)', int(e.stored), share(e.stored, e.offered) + ' of offered'],
      ['delivered (S3)', int(e.delivered), share(e.delivered, e.offered) + ' of offered'],
      ['lost (expired in the stream)', int(e.lost), pct(e.lost, e.accepted) + ' of accepted'],
    ], '  '),
  );
  for (const line of auditLines(s)) out.push(`  ${line}`);
  out.push('');
  out.push(bold('Services'));
  const k = s.kinesis;
  const shardPath = k.mode === 'on-demand' ? `on-demand (~${k.shardsMax} shards at peak)` : [...new Set([k.shardsInitial, k.shardsMax, k.shardsFinal])].join(' → ') + ' shards';
  out.push(
    table([
      ['', 'capacity', 'throttled', ''],
      ['API Gateway', s.apiGateway.type.toUpperCase(), `${int(e.rejected)} rejected`, rejectionDetail(s)],
      ['Kinesis', shardPath, `${int(k.throttledRecords)} records`, `${k.reshards} reshards, max iterator age ${ms(k.maxIteratorAgeMs)}`],
      ['Lambda', `${num(s.lambda.maxConcurrency, 1)} concurrent at peak`, '', `${int(s.lambda.invocations)} invocations, ${int(s.lambda.gbSeconds)} GB-s`],
      ['DynamoDB', s.dynamodb.mode === 'on-demand' ? 'on-demand' : `up to ${int(s.dynamodb.writeCapacityMax)} WCU`, `${int(s.dynamodb.throttledRequests)} requests`, `${s.dynamodb.tables} table${s.dynamodb.tables === 1 ? '' : 's'}${s.dynamodb.tableRefusals.length ? `, ${s.dynamodb.tableRefusals.length} refused` : ''}`],
      ['Firehose', '', `${int(s.firehose.throttledRecords)} records`, `${int(s.firehose.objects)} S3 objects, ${bytes(s.firehose.bytes)}`],
    ], '  '),
  );
  if (timeline) {
    out.push('');
    out.push(bold('Kinesis write demand vs capacity (records/s)') + '  ' + legend(options.color));
    out.push(chart(timeline, options));
    out.push(`  capacity ${capacitySteps(timeline)}`);
  }
  out.push('');
  out.push(bold('Scaling'));
  const sk = s.scaling.kinesis;
  out.push(
    table([
      ['kinesis', `lag ${seconds(sk.lagSeconds)}`, `under-provisioned ${seconds(sk.underProvisionedSeconds)} in all`, sk.firstScaleUpAtSeconds === null ? 'no scale-up' : `first scale-up at ${seconds(sk.firstScaleUpAtSeconds)}`],
      ['dynamodb', `lag ${seconds(s.scaling.dynamodb.lagSeconds)}`, `under-provisioned ${seconds(s.scaling.dynamodb.underProvisionedSeconds)} in all`, ''],
    ], '  '),
  );
  for (const a of s.scaling.actions) {
    const what = `${a.service} ${a.resource}: ${int(a.from)} → ${int(a.to)}`;
    out.push(`  ${seconds(a.atSeconds).padStart(7)}  ${what}${a.refusal ? `  REFUSED (${a.refusal})` : ''}`);
    out.push(`           ${a.reason}`);
  }
  if (s.scaling.actions.length === 0) out.push('  no scaling actions');
  out.push('');
  out.push(bold('Latency') + `  end to end p50 ${ms(s.latencyMs.p50)} · p95 ${ms(s.latencyMs.p95)} · p99 ${ms(s.latencyMs.p99)} · max ${ms(s.latencyMs.max)}; API p99 ${ms(s.ingestLatencyMs.p99)}`);
  out.push(
    bold('Cost') +
      `     ${money(s.cost.totalUsd)} for the run · ${s.cost.perMillionEventsUsd === null ? 'no event delivered' : `${money(s.cost.perMillionEventsUsd)} per million delivered events`}`,
  );
  const services: [string, string][] = [['apiGateway', 'API Gateway'], ['kinesis', 'Kinesis'], ['lambda', 'Lambda'], ['dynamodb', 'DynamoDB'], ['firehose', 'Firehose'], ['s3', 'S3']];
  out.push('         ' + services.map(([key, label]) => `${label} ${money(s.cost.byService[key] ?? 0)}`).join(' · '));
  return out.join('\n');
}

function rejectionDetail(s: Summary): string {
  const a = s.apiGateway;
  const parts = [
    a.rejectedTenantLimit >= 1 ? `${int(a.rejectedTenantLimit)} over tenant limit` : '',
    a.rejectedAccountLimit >= 1 ? `${int(a.rejectedAccountLimit)} over account limit` : '',
    a.rejectedPayload >= 1 ? `${int(a.rejectedPayload)} over 10 MB` : '',
    (a.rejectedRecordSize ?? 0) >= 1 ? `${int(a.rejectedRecordSize ?? 0)} larger than a record (${recordLimitText})` : '',
  ].filter(Boolean);
  return `${int(a.requests)} requests${parts.length ? '; ' + parts.join(', ') : ''}`;
}

function firstSentence(text: string): string {
  const m = /^(.*?[.!?])(\s|$)/.exec(text);
  return m ? m[1]! : text;
}

function legend(color?: boolean): string {
  return color ? `\x1b[36m── demand\x1b[39m  \x1b[33m── capacity\x1b[39m` : '(two lines: demand, and capacity in steps)';
}

/** "4,000 → 8,000 at 15m → 16,000 at 20m": where the capacity line steps, so it reads without colour too. */
function capacitySteps(timeline: Timeline): string {
  const capacity = timeline.columns.kinesisCapacityRps;
  const steps: string[] = [int(capacity[0] ?? 0)];
  for (let r = 1; r < timeline.rows; r++) {
    // Ignore the partial row a reshard lands in: report the new level where it first holds a whole row.
    if (Math.abs(capacity[r]! - capacity[r - 1]!) < 0.5 || (r + 1 < timeline.rows && Math.abs(capacity[r + 1]! - capacity[r]!) >= 0.5)) continue;
    steps.push(`${int(capacity[r]!)} at ${seconds(timeline.time(r))}`);
  }
  return steps.length > 8 ? `varies from ${int(Math.min(...capacity))} to ${int(Math.max(...capacity))}` : steps.join(' → ');
}

/**
 * Rows enough that demand and capacity land on different rows wherever they differ by more than a tenth (4,000 of
 * capacity over 2,400 of demand must not share a row and its one label), from 8 up to 20 rows.
 */
export function chartHeight(demand: ArrayLike<number>, capacity: ArrayLike<number>, min = 8, max = 20): number {
  let lo = Infinity;
  let hi = -Infinity;
  let gap = Infinity;
  for (let i = 0; i < demand.length; i++) {
    const d = demand[i]!;
    const c = capacity[i]!;
    lo = Math.min(lo, d, c);
    hi = Math.max(hi, d, c);
    const apart = Math.abs(d - c);
    if (apart > 0.1 * Math.max(Math.min(Math.abs(d), Math.abs(c)), 1)) gap = Math.min(gap, apart);
  }
  if (!Number.isFinite(gap) || hi <= lo) return min;
  // asciichart rounds each value to the nearest of `height` row steps: a gap of one whole step always separates them.
  return Math.max(min, Math.min(max, Math.ceil((hi - lo) / gap)));
}

/** Demand and capacity reduced to the chart width (max per column, so short bursts stay visible). */
function chart(timeline: Timeline, options: SummaryTextOptions): string {
  const width = Math.max(20, Math.min(options.width ?? 72, 120));
  const x = timeline.columns.kinesisDemandRps.map((_, r) => timeline.time(r));
  const demand = downsample(x, timeline.columns.kinesisDemandRps, width).values;
  const capacity = downsample(x, timeline.columns.kinesisCapacityRps, width).values;
  const plot = asciichart.plot([demand, capacity], {
    height: chartHeight(demand, capacity),
    format: (x: number) => int(x).padStart(9),
    ...(options.color ? { colors: [asciichart.cyan, asciichart.yellow] } : {}),
  });
  const end = seconds(timeline.rows * timeline.step);
  return plot + '\n' + ' '.repeat(11) + '0' + end.padStart(width - 1);
}
