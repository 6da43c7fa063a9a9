/** `ingestlab report <summary.json|dir>`: rebuilds report.md, charts/ and report.html from a saved run. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ExitCode, UsageError } from '../sim/errors.ts';
import type { Summary } from '../sim/summary.ts';
import { parseTimelineCsv } from '../reports/timeline-data.ts';
import { writeInfracostUsage, writeReport } from '../reports/write-run.ts';

export interface ReportOptions {
  out?: string;
  infracostUsage?: string;
  quiet?: boolean;
}

export function readSavedRun(target: string): { summary: Summary; timeline: ReturnType<typeof parseTimelineCsv> | undefined; dir: string } {
  if (!existsSync(target)) throw new UsageError(`not found: ${target} (expected a summary.json or the folder of a run)`);
  const file = statSync(target).isDirectory() ? join(target, 'summary.json') : target;
  if (!existsSync(file)) throw new UsageError(`no summary.json in ${target}`);
  let summary: Summary;
  try {
    summary = JSON.parse(readFileSync(file, 'utf8')) as Summary;
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  if (typeof summary !== 'object' || summary === null || !summary.events || !summary.cost) throw new UsageError(`${file} does not look like an ingestlab summary.json`);
  const dir = dirname(file);
  const csv = join(dir, 'timeline.csv');
  let timeline;
  if (existsSync(csv)) {
    try {
      timeline = parseTimelineCsv(readFileSync(csv, 'utf8'));
    } catch (error) {
      throw new UsageError(`${csv}: ${(error as Error).message}`);
    }
  }
  return { summary, timeline, dir };
}

export async function runReportCommand(target: string, options: ReportOptions): Promise<number> {
  const { summary, timeline, dir } = readSavedRun(target);
  const out = options.out ?? dir;
  const files = writeReport(out, summary, timeline);
  if (options.infracostUsage) files.push(writeInfracostUsage(options.infracostUsage, summary));
  if (!timeline && !options.quiet) process.stderr.write(`note: no timeline.csv beside ${target}; the charts over time are left out\n`);
  if (!options.quiet) process.stdout.write(`wrote ${files.join(', ')}\n`);
  return ExitCode.ok;
}
