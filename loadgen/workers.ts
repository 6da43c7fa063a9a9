/**
 * Load on several cores. autocannon's own `workers` option cannot carry this generator: in workers mode it `require`s
 * setupClient/setupRequest from file paths (CommonJS, no TypeScript, no shared schedule state), applies rates per
 * worker, and returns only its own histograms. So each worker thread here runs one paced autocannon instance
 * (driver.ts) for a share of the tenants: tenant i goes to worker i mod N. Every worker draws the same schedule and
 * keeps its share, so the union is exactly the one-thread schedule; results merge in result.ts.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../cli/worker-thread.ts';
import { runLoad, type LoadOptions, type LoadProgress, type LoadResult } from './driver.ts';
import { mergeLoadResults } from './result.ts';
import type { WorkerMessage, WorkerTask } from './worker.ts';

export interface WorkersOptions extends Omit<LoadOptions, 'tenantFilter' | 'onStart'> {
  /** Worker threads; 1 runs in this thread. */
  readonly workers?: number;
}

export async function runLoadOnWorkers(options: WorkersOptions): Promise<LoadResult> {
  const count = Math.max(1, Math.floor(options.workers ?? 1));
  const { onProgress, signal, workers: _workers, ...rest } = options;
  if (count === 1) return runLoad({ ...rest, ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) });
  const connections = rest.connections !== undefined ? Math.max(1, Math.ceil(rest.connections / count)) : undefined;
  const startEpochMs = rest.startEpochMs ?? Date.now();
  const latest: (LoadProgress | undefined)[] = new Array(count).fill(undefined);
  const pool: Worker[] = [];
  const stopAll = () => {
    for (const w of pool) w.postMessage({ type: 'stop' });
  };
  signal?.addEventListener('abort', stopAll, { once: true });
  try {
    const results = await Promise.all(
      Array.from({ length: count }, (_, index) => {
        const task: WorkerTask = { options: { ...rest, startEpochMs, ...(connections !== undefined ? { connections } : {}) }, index, count };
        const worker = startWorker(new URL('./worker.ts', import.meta.url), 'loadgen-worker.js', { task });
        pool.push(worker);
        return new Promise<LoadResult>((resolve, reject) => {
          worker.on('message', (m: WorkerMessage) => {
            if (m.type === 'progress') {
              latest[index] = m.progress;
              if (onProgress && latest.every(Boolean)) onProgress(sumProgress(latest as LoadProgress[]));
            } else if (m.type === 'result') {
              resolve(m.result);
              void worker.terminate();
            } else reject(new Error(`load worker ${index} failed: ${m.message}`));
          });
          worker.on('error', reject);
        });
      }),
    );
    return mergeLoadResults(results);
  } finally {
    signal?.removeEventListener('abort', stopAll);
    for (const w of pool) void w.terminate();
  }
}

function sumProgress(all: readonly LoadProgress[]): LoadProgress {
  const sum = (k: keyof LoadProgress) => all.reduce((a, p) => a + p[k], 0);
  return {
    elapsed: Math.max(...all.map((p) => p.elapsed)),
    wallDuration: all[0]!.wallDuration,
    rate: sum('rate'),
    targetRate: sum('targetRate'),
    sent: sum('sent'),
    scheduled: sum('scheduled'),
    inFlight: sum('inFlight'),
    accepted: sum('accepted'),
    throttled: sum('throttled'),
    failed: sum('failed'),
  };
}
