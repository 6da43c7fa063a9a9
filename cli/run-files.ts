/**
 * The files of one finished run, written into a (temporary) run folder: the reports' own files (summary.json,
 * timeline.csv, report.md, report.html, charts/) plus what lets the run be re-reported and re-checked as it was:
 * scenario.resolved.yaml and, when the scenario has an expect: section, expectations.json (the results the run's
 * report and exit code used, so `ingestlab report` rebuilds the same report byte for byte).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExpectationResult } from '../sim/expectations.ts';
import type { Summary } from '../sim/summary.ts';
import type { Timeline } from '../sim/timeline.ts';
import { writeRun } from '../reports/write-run.ts';
import { RESOLVED_SCENARIO } from './saved-scenario.ts';

export const EXPECTATIONS_FILE = 'expectations.json';

export interface FinishedRun {
  summary: Summary;
  timeline: Timeline;
  expectations?: readonly ExpectationResult[] | undefined;
  /** scenario.resolved.yaml's text. */
  resolvedScenario: string;
}

export function writeRunFiles(dir: string, run: FinishedRun, options: { infracostUsage?: string } = {}): string[] {
  const files = writeRun(dir, run.summary, run.timeline, {
    ...(run.expectations ? { expectations: run.expectations } : {}),
    ...(options.infracostUsage ? { infracostUsage: options.infracostUsage } : {}),
  });
  const scenario = join(dir, RESOLVED_SCENARIO);
  writeFileSync(scenario, run.resolvedScenario);
  files.push(scenario);
  if (run.expectations) {
    const file = join(dir, EXPECTATIONS_FILE);
    writeFileSync(file, JSON.stringify(run.expectations, null, 2) + '\n');
    files.push(file);
  }
  return files;
}
