/** Writes a run's files: summary.json and timeline.csv (later: report.md, report.html). The only report I/O. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from '../sim/summary.ts';
import type { Timeline } from '../sim/timeline.ts';
import { timelineCsv } from './timeline-csv.ts';

export function writeRun(dir: string, summary: Summary, timeline: Timeline): string[] {
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, 'summary.json'), join(dir, 'timeline.csv')];
  writeFileSync(files[0]!, summaryJson(summary));
  writeFileSync(files[1]!, timelineCsv(timeline));
  return files;
}

/** Stable, readable JSON: the same run gives the same bytes. */
export function summaryJson(summary: Summary): string {
  return JSON.stringify(summary, null, 2) + '\n';
}
