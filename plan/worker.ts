/**
 * One configuration of `plan`: load the scenario with the configuration's overrides, simulate, evaluate its
 * expectations and keep the figures the search needs. Runs in a worker thread (answering jobs posted to it) or in the
 * calling thread; either way the result is plain data.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../scenarios/load.ts';
import { ScenarioError } from '../sim/errors.ts';
import { evaluateExpectations } from '../sim/expectations.ts';
import type { PriceEntry } from '../sim/pricing/price-table.ts';
import { simulate } from '../sim/simulation.ts';
import type { Summary } from '../sim/summary.ts';
import { planChecks, type PlanSample, type RunFigures } from './search.ts';

export interface PlanJob {
  /** Position in the batch, so results go back in order. */
  readonly index: number;
  /** The configuration's id. */
  readonly id: number;
  readonly path: string;
  /** Base overrides and the configuration's, merged. */
  readonly overrides: Record<string, unknown>;
  /** Seconds per tick of this round. */
  readonly resolution: number;
  readonly prices?: readonly PriceEntry[];
  readonly priceDate?: string;
}

export interface PlanJobResult {
  readonly index: number;
  readonly sample: PlanSample;
}

export function figuresOf(summary: Summary): RunFigures {
  return {
    costUsd: summary.cost.totalUsd,
    offered: summary.events.offered,
    accepted: summary.events.accepted,
    delivered: summary.events.delivered,
    dropped: summary.events.dropped,
    rejected: summary.events.rejected,
    lost: summary.events.lost,
    kinesisLagSeconds: summary.scaling.kinesis.lagSeconds,
    dynamodbLagSeconds: summary.scaling.dynamodb.lagSeconds,
    shardsMax: summary.kinesis.shardsMax,
  };
}

export async function runPlanJob(job: PlanJob): Promise<PlanJobResult> {
  const resolution = job.resolution;
  try {
    const { scenario, resolvePolicy } = await loadScenario(job.path, { ...job.overrides, resolution: `${resolution}s` });
    const { summary, timeline } = simulate(scenario, {
      resolvePolicy,
      ...(job.prices ? { prices: job.prices } : {}),
      ...(job.priceDate ? { priceDate: job.priceDate } : {}),
    });
    const figures = figuresOf(summary);
    const results = evaluateExpectations(scenario.expect, summary, timeline);
    return { index: job.index, sample: { id: job.id, resolution: scenario.resolution, figures, checks: planChecks(scenario.expect, results, figures) } };
  } catch (error) {
    // An invalid combination (e.g. minShards above maxShards) is a result of the search, not a crash.
    const message = error instanceof ScenarioError ? error.problems.map((p) => `${p.path}: ${p.message}`).join('; ') : error instanceof Error ? error.message : String(error);
    return { index: job.index, sample: { id: job.id, resolution, checks: [], error: message.split('\n')[0]! } };
  }
}

/** Marks the workers `plan` starts, so importing this module inside another worker (a test runner's) is inert. */
export const PLAN_WORKER_MARK = 'ingestlab-plan-worker';

const port = parentPort;
if (port && (workerData as { mark?: string } | null)?.mark === PLAN_WORKER_MARK) {
  port.on('message', (job: PlanJob) => {
    void runPlanJob(job).then((result) => port.postMessage(result));
  });
}
