/**
 * A load-generator worker thread: drives its share of the tenants (tenant index mod workers) with its own autocannon
 * instance, posts progress every 250 ms and its LoadResult at the end (workers.ts merges them).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runLoad, type LoadOptions } from './driver.ts';

export interface WorkerTask {
  readonly options: Omit<LoadOptions, 'tenantFilter' | 'onProgress' | 'onStart' | 'signal'>;
  readonly index: number;
  readonly count: number;
}

export type WorkerMessage =
  | { type: 'progress'; progress: import('./driver.ts').LoadProgress }
  | { type: 'result'; result: import('./driver.ts').LoadResult }
  | { type: 'error'; message: string };

const task = workerData?.task as WorkerTask | undefined;
if (parentPort && task) {
  const port = parentPort;
  const abort = new AbortController();
  port.on('message', (m: { type: string }) => {
    if (m.type === 'stop') abort.abort();
  });
  runLoad({
    ...task.options,
    tenantFilter: (t) => t % task.count === task.index,
    onProgress: (progress) => port.postMessage({ type: 'progress', progress } satisfies WorkerMessage),
    signal: abort.signal,
  }).then(
    (result) => port.postMessage({ type: 'result', result } satisfies WorkerMessage),
    (error: Error) => port.postMessage({ type: 'error', message: error.stack ?? error.message } satisfies WorkerMessage),
  );
}
