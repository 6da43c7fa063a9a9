/**
 * Writes a run's files: summary.json, timeline.csv, report.md (with its charts as charts/*.svg, which GitHub renders
 * as images) and report.html (self-contained), and on request an Infracost usage file. The only report I/O besides
 * the CLI.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ExpectationResult } from '../sim/expectations.ts';
import type { Summary } from '../sim/summary.ts';
import type { Timeline } from '../sim/timeline.ts';
import { chartsOf, renderHtml, renderMarkdown } from './doc.ts';
import { infracostUsage } from './infracost-usage.ts';
import { runReportBlocks } from './run-report.ts';
import type { TimelineData } from './timeline-data.ts';
import { timelineCsv } from './timeline-csv.ts';
import { FIDELITY_FILE, SIM_TIMELINE_FILE, resampleTimeline, type FidelitySection } from './fidelity-report.ts';
import { parseTimelineCsv } from './timeline-data.ts';
import type { Fidelity } from '../loadgen/fidelity.ts';

export interface WriteRunOptions {
  /** Results of the scenario's `expect:` section, shown in the verdict and a table. */
  expectations?: readonly ExpectationResult[];
  /** Also write the run's usage as an Infracost usage file at this path. */
  infracostUsage?: string;
  /** writeReport: a `scenario --compare` run's section, as its files hold it (readSavedFidelity). */
  fidelity?: FidelitySection;
  /**
   * writeRun: a `scenario --compare` run (the run is the real one): the comparison and the simulator's own timeline.
   * Adds fidelity.json, sim-timeline.csv (the simulator's timeline summed into the real run's rows) and the report's
   * "Simulator vs real pipeline" section.
   */
  compare?: { fidelity: Fidelity; simTimeline: TimelineData };
}

export function writeRun(dir: string, summary: Summary, timeline: Timeline, options: WriteRunOptions = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, 'summary.json'), join(dir, 'timeline.csv')];
  writeFileSync(files[0]!, summaryJson(summary));
  writeFileSync(files[1]!, timelineCsv(timeline));
  const { compare, ...rest } = options;
  if (!compare) {
    files.push(...writeReport(dir, summary, timeline, rest));
    return files;
  }
  // The section is drawn from what the files hold (three decimals), so `ingestlab report` redraws it byte for byte.
  const simCsv = timelineCsv(resampleTimeline(compare.simTimeline, summary.durationSeconds, Math.max(compare.simTimeline.step, timeline.step)));
  files.push(join(dir, FIDELITY_FILE), join(dir, SIM_TIMELINE_FILE));
  writeFileSync(files.at(-2)!, `${JSON.stringify(compare.fidelity, null, 2)}\n`);
  writeFileSync(files.at(-1)!, simCsv);
  const fidelity: FidelitySection = { fidelity: compare.fidelity, sim: parseTimelineCsv(simCsv), real: parseTimelineCsv(timelineCsv(timeline)) };
  files.push(...writeReport(dir, summary, timeline, { ...rest, fidelity }));
  return files;
}

/**
 * A `scenario --compare` run's saved comparison (fidelity.json, and sim-timeline.csv when the run wrote one), for
 * rebuilding its report; undefined for any other run. Throws a RangeError naming the file that cannot be read.
 */
export function readSavedFidelity(dir: string): FidelitySection | undefined {
  const file = join(dir, FIDELITY_FILE);
  if (!existsSync(file)) return undefined;
  let fidelity: Fidelity;
  try {
    fidelity = JSON.parse(readFileSync(file, 'utf8')) as Fidelity;
  } catch (error) {
    throw new RangeError(`${file}: ${(error as Error).message}`);
  }
  if (typeof fidelity !== 'object' || fidelity === null || !Array.isArray(fidelity.rows) || !Array.isArray(fidelity.notCompared)) throw new RangeError(`${file} does not look like an ingestlab fidelity.json`);
  const csv = join(dir, SIM_TIMELINE_FILE);
  if (!existsSync(csv)) return { fidelity };
  try {
    return { fidelity, sim: parseTimelineCsv(readFileSync(csv, 'utf8')) };
  } catch (error) {
    throw new RangeError(`${csv}: ${(error as Error).message}`);
  }
}

/** report.md, charts/*.svg and report.html (and the Infracost file when asked) for a run; returns the paths written. */
export function writeReport(dir: string, summary: Summary, timeline: TimelineData | undefined, options: WriteRunOptions = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const blocks = runReportBlocks(summary, timeline, { ...(options.expectations ? { expectations: options.expectations } : {}), ...(options.fidelity ? { fidelity: options.fidelity } : {}) });
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
