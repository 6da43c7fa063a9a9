/**
 * Writes a run's files: summary.json, timeline.csv, report.md (with its charts as charts/*.svg, which GitHub renders
 * as images) and report.html (self-contained), and on request an Infracost usage file. The only report I/O besides
 * the CLI.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ExpectationResult } from '../sim/expectations.ts';
import type { Summary } from '../sim/summary.ts';
import type { Timeline } from '../sim/timeline.ts';
import { chartsOf, renderHtml, renderMarkdown } from './doc.ts';
import { infracostUsage } from './infracost-usage.ts';
import { runReportBlocks } from './run-report.ts';
import type { TimelineData } from './timeline-data.ts';
import { timelineCsv } from './timeline-csv.ts';

export interface WriteRunOptions {
  /** Results of the scenario's `expect:` section, shown in the verdict and a table. */
  expectations?: readonly ExpectationResult[];
  /** Also write the run's usage as an Infracost usage file at this path. */
  infracostUsage?: string;
}

export function writeRun(dir: string, summary: Summary, timeline: Timeline, options: WriteRunOptions = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, 'summary.json'), join(dir, 'timeline.csv')];
  writeFileSync(files[0]!, summaryJson(summary));
  writeFileSync(files[1]!, timelineCsv(timeline));
  files.push(...writeReport(dir, summary, timeline, options));
  return files;
}

/** report.md, charts/*.svg and report.html (and the Infracost file when asked) for a run; returns the paths written. */
export function writeReport(dir: string, summary: Summary, timeline: TimelineData | undefined, options: WriteRunOptions = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const blocks = runReportBlocks(summary, timeline, options.expectations ? { expectations: options.expectations } : {});
  const md = join(dir, 'report.md');
  const html = join(dir, 'report.html');
  writeFileSync(md, renderMarkdown(blocks));
  writeFileSync(html, renderHtml(`ingestlab run report: ${summary.scenario}`, blocks));
  const charts = chartsOf(blocks);
  if (charts.length > 0) mkdirSync(join(dir, 'charts'), { recursive: true });
  for (const c of charts) writeFileSync(join(dir, 'charts', `${c.id}.svg`), c.svg + '\n');
  const files = [md, html];
  if (options.infracostUsage) files.push(writeInfracostUsage(options.infracostUsage, summary));
  return files;
}

export function writeInfracostUsage(file: string, summary: Summary): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, infracostUsage(summary));
  return file;
}

/** Stable, readable JSON: the same run gives the same bytes. */
export function summaryJson(summary: Summary): string {
  return JSON.stringify(summary, null, 2) + '\n';
}
