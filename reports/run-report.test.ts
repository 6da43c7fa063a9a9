// The run report: verdict, charts, tables, traceable prices; the timeline.csv round trip; the Infracost usage file.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadScenario, resolveScenarioPath } from '../scenarios/load.ts';
import { simulate } from '../sim/simulation.ts';
import type { Summary } from '../sim/summary.ts';
import type { Timeline } from '../sim/timeline.ts';
import { run, tenants } from '../test/builders.ts';
import { unitPrice } from './format.ts';
import { infracostUsage } from './infracost-usage.ts';
import { burstCredits, runReportHtml, runReportMarkdown, throttleTitle, verdict } from './run-report.ts';
import { parseTimelineCsv } from './timeline-data.ts';
import { timelineCsv } from './timeline-csv.ts';
import { writeReport, writeRun } from './write-run.ts';

const tmp = mkdtempSync(join(tmpdir(), 'ingestlab-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let burst: { summary: Summary; timeline: Timeline };
beforeAll(async () => {
  const { scenario, resolvePolicy } = await loadScenario(resolveScenarioPath('burst-spike'));
  burst = simulate(scenario, { resolvePolicy });
});

describe('the run report of burst-spike', () => {
  it('judges the run: the share of offered load stored and delivered first, then how long under-provisioned, what was dropped, cost per million', () => {
    const v = verdict(burst.summary, burst.timeline);
    expect(v.ok).toBe(false);
    const e = burst.summary.events;
    const storedPct = ((100 * e.stored) / e.offered).toFixed(1);
    expect(v.text.startsWith(`${storedPct}% of offered events stored in DynamoDB and `)).toBe(true);
    expect(v.text).toMatch(/ Kinesis under-provisioned for \S+ from 10m \(longest \S+, first scale-up at \S+\);.* [\d,]+ events dropped after retries \([\d.]+% of offered\); .*\$[\d.]+ per million delivered events/);
  });

  it('shows capacity stepping up behind the burst, with the scaling actions marked', () => {
    const html = runReportHtml(burst.summary, burst.timeline);
    const kinesis = /<svg[^>]*id="kinesis-capacity"[\s\S]*?<\/svg>/.exec(html)![0];
    const ups = burst.summary.scaling.actions.filter((a) => a.service === 'kinesis' && a.to > a.from);
    expect(ups.length).toBeGreaterThan(0);
    expect((kinesis.match(/class="marker"/g) ?? []).length).toBe(burst.summary.scaling.actions.filter((a) => a.service === 'kinesis').length);
    for (const a of ups) expect(kinesis).toContain(`${a.from}→${a.to} shards`);
    expect(kinesis).toContain('capacity (shards × 1,000 records/s)');
    for (const id of ['dynamodb-capacity', 'throttles', 'iterator-age', 'cost-by-service']) expect(html).toContain(`id="${id}"`);
    expect(html).not.toMatch(/<script|<link|@import|url\(http/);
  });

  it('writes markdown with tables and image links only (no raw HTML)', () => {
    const md = runReportMarkdown(burst.summary, burst.timeline);
    expect(md).not.toMatch(/<[a-z]/i);
    expect(md).toContain('![Kinesis: offered write load vs provisioned capacity (records/s)](charts/kinesis-capacity.svg)');
    expect(md).toMatch(/^> \*\*Verdict:\*\* /m);
    expect(md).toContain('| service | item | tier | quantity | unit | unit price | cost | source | as of | confidence |');
    for (const a of burst.summary.assumptions) expect(md).toContain(a.parameter.replace(/\|/g, '\\|'));
  });

  it('prints every price next to its source and date', () => {
    const md = runReportMarkdown(burst.summary, burst.timeline);
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    for (const l of burst.summary.cost.lines) {
      const row = rows.find((r) => r.includes(`| ${l.item} |`) && r.includes(`| ${unitPrice(l.unitPriceUsd)} |`));
      expect(row, l.item).toBeDefined();
      expect(row).toContain(l.asOf);
      expect(row).toContain(l.confidence);
      expect(row).toContain(l.source.slice(0, 20).replace(/\|/g, '\\|'));
    }
  });

  it('is deterministic: the same run gives the same bytes', () => {
    expect(runReportHtml(burst.summary, burst.timeline)).toBe(runReportHtml(burst.summary, burst.timeline));
  });
});

describe('charts say what they draw (issue 9 #11)', () => {
  it('names only the kinds of refusal the throttles chart draws', () => {
    expect(throttleTitle(['Kinesis throttled records', 'dropped after retries'])).toBe('Throttles and drops');
    expect(throttleTitle(['DynamoDB throttled writes'])).toBe('Throttles');
    expect(throttleTitle(['Kinesis throttled records', 'rejected at the API', 'dropped after retries'])).toBe('Throttles, rejections and drops');
  });

  it('counts the minutes DynamoDB consumed above provisioned (burst credits): 6 one-minute rows at 150 of 100 WCU are 360 s', () => {
    const rows = 8;
    const col = (values: number[]) => Float64Array.from(values);
    const t = parseTimelineCsv(timelineCsv(burst.timeline));
    const fake = {
      ...t,
      rows,
      step: 60,
      columns: {
        ...t.columns,
        ddbCapacityWcu: col([100, 100, 100, 100, 100, 100, 100, 100]),
        ddbConsumedWcu: col([90, 150, 150, 150, 150, 150, 150, 90]),
        ddbThrottled: col([0, 0, 0, 0, 0, 0, 7, 0]),
      },
    };
    expect(burstCredits(fake)).toBe(360);
  });

  it('timeline.csv prints a residue of −1e-12 as 0, never -0.000', () => {
    const timeline = run({ duration: '2s', tenants: tenants(1, 1) }).timeline;
    timeline.columns.firehoseBufferBytes[0] = -1e-12;
    timeline.columns.firehoseBufferBytes[1] = 1.23456;
    const csv = timelineCsv(timeline);
    expect(csv).not.toContain('-0.000');
    const col = csv.split('\n')[0]!.split(',').indexOf('firehoseBufferBytes');
    expect(csv.split('\n').slice(1, 3).map((l) => l.split(',')[col])).toEqual(['0', '1.235']);
  });
});

describe('the report says where its numbers come from (issue 9 #10)', () => {
  it('links the repository\'s docs/sources.md, never aws-reference or a bare § section', () => {
    const md = runReportMarkdown(burst.summary, burst.timeline);
    expect(md).not.toMatch(/aws-reference|§\d/);
    expect(md).toContain('docs/sources.md#kinesis-resharding');
  });

  it('marks the description as the author\'s text and computes this run\'s figures: 300 × 5/s into 16 shards is 1,500 of 16,000 records/s (9.4%)', () => {
    const { summary } = run({ duration: '10m', description: 'into 4 shards (37.5% of their 4,000 records/s)', tenants: tenants(300, 5), kinesis: { shards: 16 } });
    const md = runReportMarkdown(summary, undefined);
    expect(md).toContain("Scenario description (the author's text; overrides may have changed its figures): into 4 shards");
    expect(md).toContain('This run: simulated 10m at 1s resolution (seed 1, us-east-1), 1,500 events/s offered on average into 16 shards (16,000 records/s, 9.4% of it on average)');
  });
});

describe('the verdict says first, plainly, when the numbers cannot be taken to a review (issue 9)', () => {
  it('an unbalanced audit: "FAILED: the audit does not balance (…)" opens the verdict and the run is not ok', () => {
    const note = 'accepted differs from stored + lost + in flight to DynamoDB by 5';
    const s: Summary = { ...burst.summary, audit: { ...burst.summary.audit, balanced: false, notes: [note] } };
    const v = verdict(s);
    expect(v.text.startsWith(`FAILED: the audit does not balance (${note}). `)).toBe(true);
    expect(v.ok).toBe(false);
  });

  it('accepted events lost: 2 tenants × 100/s for 10 min into 50 WCU with 2 min retention store 50 × 720 s = 36,000 of 120,000; the verdict opens with the 84,000 lost', () => {
    const { summary } = run({ duration: '10m', tenants: tenants(2, 100), dynamodb: { writeCapacity: 50 }, lambda: { retention: '2m' } });
    expect(summary.events.accepted).toBe(120_000);
    expect(summary.events.stored).toBe(36_000);
    expect(summary.events.lost).toBe(84_000);
    const v = verdict(summary);
    expect(v.text.startsWith('FAILED: 84,000 accepted events were lost (expired from the stream before reaching DynamoDB). 30.0% of offered events stored in DynamoDB and 100% delivered to S3. ')).toBe(true);
    expect(v.ok).toBe(false);
  });

  it('a healthy run: 10 tenants × 5/s for 10 min offer 30,000 events, all stored and delivered: "100% of offered events stored in DynamoDB and delivered to S3."', () => {
    const { summary } = run({ duration: '10m', tenants: tenants(10, 5) });
    expect(summary.events.offered).toBe(30_000);
    const v = verdict(summary);
    expect(v.text.startsWith('100% of offered events stored in DynamoDB and delivered to S3. Capacity kept up')).toBe(true);
    expect(v.ok).toBe(true);
  });
});

describe('ingestlab report from a saved run', () => {
  it('reads timeline.csv back into the same columns', () => {
    const parsed = parseTimelineCsv(timelineCsv(burst.timeline));
    expect(parsed.rows).toBe(burst.timeline.rows);
    expect(parsed.step).toBe(burst.timeline.step);
    expect(parsed.missing).toEqual([]);
    expect(Array.from(parsed.columns.shards)).toEqual(Array.from(burst.timeline.columns.shards));
    expect(parsed.columns.kinesisDemandRps[700]).toBeCloseTo(burst.timeline.columns.kinesisDemandRps[700]!, 3);
  });

  it('writes report.md, report.html and the chart files; without a timeline the charts over time are left out with a note', () => {
    const dir = join(tmp, 'run');
    writeRun(dir, burst.summary, burst.timeline);
    expect(readdirSync(dir).sort()).toEqual(['charts', 'report.html', 'report.md', 'summary.json', 'timeline.csv']);
    expect(readdirSync(join(dir, 'charts')).sort()).toEqual(['cost-by-service.svg', 'dynamodb-capacity.svg', 'iterator-age.svg', 'kinesis-capacity.svg', 'throttles.svg']);
    const bare = join(tmp, 'bare');
    writeReport(bare, burst.summary, undefined);
    const md = readFileSync(join(bare, 'report.md'), 'utf8');
    expect(md).toContain('No timeline.csv beside summary.json');
    expect(md).not.toContain('kinesis-capacity.svg');
    expect(md).toContain('cost-by-service.svg');
  });
});

describe('the Infracost usage file', () => {
  it('scales the run to a month (× 730 h / run hours) under the Infracost keys', () => {
    // Half an hour of 10 tenants × 50 events/s of 1,000 B in batches of 10: 900,000 events, 90,000 REST requests.
    const { summary } = run({
      duration: '30m',
      resolution: '10s',
      tenants: tenants(10, 50, { eventBytes: 1000, batchSize: 10 }),
      kinesis: { shards: 2 },
      dynamodb: { writeCapacity: 1000 },
      firehose: { bufferSeconds: '60s' },
      lambda: { memoryMb: 256 },
    });
    const text = infracostUsage(summary);
    expect(text).toMatch(/^# .*× 730 h \/ 0\.5 h simulated \(× 1460\)/m);
    const doc = parseYaml(text) as { version: number; resource_usage: Record<string, Record<string, number>> };
    expect(doc.version).toBe(0.1);
    const u = doc.resource_usage;
    // 90,000 requests × 1,460 = 131,400,000 a month.
    expect(u['aws_api_gateway_rest_api.ingest']!.monthly_requests).toBe(131_400_000);
    // One 25 KB PUT payload unit per record: 900,000 × 1,460.
    expect(u['aws_kinesis_stream.ingest']!.monthly_provisioned_put_units).toBe(1_314_000_000);
    // Every record billed as 5,120 B: 900,000 × 5,120 / 2^30 GB × 1,460.
    expect(u['aws_kinesis_firehose_delivery_stream.raw']!.monthly_data_ingested_gb).toBeCloseTo(((900_000 * 5120) / 2 ** 30) * 1460, 1);
    // Lambda: invocations × 1,460, and the mean duration = GB-s / 0.25 GB / invocations.
    expect(u['aws_lambda_function.processor']!.monthly_requests).toBe(Math.round(summary.lambda.invocations * 1460));
    expect(u['aws_lambda_function.processor']!.request_duration_ms).toBe(Math.round((summary.lambda.gbSeconds / 0.25 / summary.lambda.invocations) * 1000));
    expect(text).toContain('write_capacity comes from Terraform; this run averaged 1000 WCU');
  });
});
