/**
 * One scenario of `check`: load, simulate, evaluate its expectations. Runs in a worker thread (it answers jobs posted
 * to it) or in the main thread when workers are off; either way the result is plain data.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../scenarios/load.ts';
import { evaluateExpectations, type ExpectationResult } from '../sim/expectations.ts';
import { PolicyError, ScenarioError, UsageError, type ScenarioProblem } from '../sim/errors.ts';
import { simulate } from '../sim/simulation.ts';
import type { Summary } from '../sim/summary.ts';

export interface CheckJob {
  readonly index: number;
  readonly path: string;
  readonly overrides: Record<string, unknown>;
}

export type CheckJobResult =
  | { readonly index: number; readonly ok: true; readonly summary: Summary; readonly expectations: ExpectationResult[] }
  | {
      readonly index: number;
      readonly ok: false;
      /** Which error class to rebuild on the other side (classes do not survive structured cloning). */
      readonly kind: 'scenario' | 'policy' | 'usage' | 'internal';
      readonly problems?: ScenarioProblem[];
      readonly message: string;
    };

export async function runCheckJob(job: CheckJob): Promise<CheckJobResult> {
  try {
    const { scenario, resolvePolicy } = await loadScenario(job.path, job.overrides);
    const { summary, timeline } = simulate(scenario, { resolvePolicy });
    return { index: job.index, ok: true, summary, expectations: evaluateExpectations(scenario.expect, summary, timeline) };
  } catch (error) {
    // Errors do not survive structured cloning as their classes; send their parts.
    if (error instanceof ScenarioError) return { index: job.index, ok: false, kind: 'scenario', problems: [...error.problems], message: error.message };
    if (error instanceof PolicyError) return { index: job.index, ok: false, kind: 'policy', message: error.message };
    if (error instanceof UsageError) return { index: job.index, ok: false, kind: 'usage', message: error.message };
    return { index: job.index, ok: false, kind: 'internal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}

/** Marks the workers `check` starts, so importing this module inside some other worker (a test runner's) is inert. */
export const CHECK_WORKER_MARK = 'ingestlab-check-worker';

const port = parentPort;
if (port && (workerData as { mark?: string } | null)?.mark === CHECK_WORKER_MARK) {
  port.on('message', (job: CheckJob) => {
    void runCheckJob(job).then((result) => port.postMessage(result));
  });
}
