/**
 * Runs `plan`'s configurations: a pool of worker threads kept for the whole search (starting one costs about as much
 * as several runs), each answering jobs of plan/worker.ts; results go back in input order so nothing depends on timing.
 * With one thread, or when workers cannot start, the runs happen in this thread.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../cli/worker-thread.ts';
import type { PriceEntry } from '../sim/pricing/price-table.ts';
import type { Evaluate, PlanSample } from './search.ts';
import type { PlanPoint } from './space.ts';
import { PLAN_WORKER_MARK, runPlanJob, type PlanJob, type PlanJobResult } from './worker.ts';

export interface RunnerOptions {
  /** The scenario file. */
  readonly path: string;
  /** Overrides every configuration shares (--set, --duration, …). */
  readonly base: Readonly<Record<string, unknown>>;
  /** Worker threads; 1 runs in this thread. */
  readonly threads: number;
  readonly prices?: readonly PriceEntry[];
  readonly priceDate?: string;
  /** Called once per finished run. */
  readonly onRun?: () => void;
}

export interface PlanRunner {
  readonly evaluate: Evaluate;
  /** Simulated runs so far. */
  runs(): number;
  close(): Promise<void>;
}

export function createPlanRunner(options: RunnerOptions): PlanRunner {
  let count = 0;
  let workers: Worker[] | undefined;
  let broken = false;
  let idleError: Error | undefined;
  const jobsOf = (points: readonly PlanPoint[], resolution: number): PlanJob[] =>
    points.map((p, index) => ({
      index,
      id: p.id,
      path: options.path,
      overrides: { ...options.base, ...p.overrides },
      resolution,
      ...(options.prices ? { prices: options.prices } : {}),
      ...(options.priceDate ? { priceDate: options.priceDate } : {}),
    }));

  const inThread = async (jobs: readonly PlanJob[]): Promise<PlanSample[]> => {
    const out: PlanSample[] = [];
    for (const job of jobs) {
      out.push((await runPlanJob(job)).sample);
      count++;
      options.onRun?.();
    }
    return out;
  };

  const inWorkers = (jobs: readonly PlanJob[]): Promise<PlanSample[]> => {
    workers ??= Array.from({ length: options.threads }, () => {
      const worker = startWorker(new URL('./worker.ts', import.meta.url), 'plan-worker.js', { mark: PLAN_WORKER_MARK });
      // Between batches no batch listens: an error then must not become an uncaught exception; the next batch sees it.
      worker.on('error', (error) => {
        idleError ??= error;
      });
      return worker;
    });
    const pool = workers;
    if (idleError) return Promise.reject(idleError);
    return new Promise((resolveBatch, rejectBatch) => {
      const results: PlanSample[] = new Array(jobs.length);
      let next = 0;
      let done = 0;
      let settled = false;
      const listeners: (() => void)[] = [];
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        for (const off of listeners) off();
        if (error) rejectBatch(error);
        else resolveBatch(results);
      };
      if (jobs.length === 0) return settle();
      for (const worker of pool) {
        const feed = () => {
          if (next < jobs.length) worker.postMessage(jobs[next++]);
        };
        const onMessage = (result: PlanJobResult) => {
          results[result.index] = result.sample;
          count++;
          options.onRun?.();
          if (++done === jobs.length) settle();
          else feed();
        };
        const onError = (error: Error) => settle(error);
        const onExit = (code: number) => settle(new Error(`a worker exited with code ${code} before the runs were done`));
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
        listeners.push(() => {
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
        });
        feed();
      }
    });
  };

  const evaluate: Evaluate = async (points, resolution) => {
    const jobs = jobsOf(points, resolution);
    if (options.threads > 1 && !broken && jobs.length > 1) {
      try {
        return await inWorkers(jobs);
      } catch (error) {
        // Workers failed to start or died: finish in this thread rather than give up the search.
        broken = true;
        await closeWorkers();
        process.emitWarning(`plan: worker threads failed (${(error as Error).message.split('\n')[0]}); running in one thread`);
      }
    }
    return inThread(jobs);
  };

  const closeWorkers = async () => {
    const pool = workers;
    workers = undefined;
    if (pool) await Promise.all(pool.map((w) => w.terminate()));
  };

  return { evaluate, runs: () => count, close: closeWorkers };
}
