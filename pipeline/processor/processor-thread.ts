/**
 * Runs the stream processor in a worker thread (processor-worker.ts) and mirrors its counters here. From the compiled
 * CLI the worker is the build's `processor-worker.js`; from source it imports the TypeScript through tsx's API.
 */
import { startWorker } from '../../cli/worker-thread.ts';
import type { ProcessorCounters } from './stream-processor.ts';
import type { ProcessorWorkerData, ProcessorWorkerMessage } from './processor-worker.ts';

export interface ProcessorThread {
  /** The worker's counters as of its last report (every `reportMs`). */
  readonly counters: ProcessorCounters;
  /** Drains (every shard read to its tip and checkpointed), then ends the thread. */
  stop(): Promise<ProcessorCounters>;
  abort(): Promise<ProcessorCounters>;
}

export async function startProcessorThread(data: ProcessorWorkerData): Promise<ProcessorThread> {
  const worker = startWorker(new URL('./processor-worker.ts', import.meta.url), 'processor-worker.js', data);
  let counters: ProcessorCounters | undefined;
  let stopped: ((c: ProcessorCounters) => void) | undefined;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: ProcessorWorkerMessage) => {
      if (m.type === 'started') resolve();
      else if (m.type === 'error') reject(new Error(`processor thread: ${m.message}`));
      else if (m.type === 'counters') counters = m.counters;
      else if (m.type === 'stopped') {
        counters = m.counters;
        stopped?.(m.counters);
      }
    });
    worker.once('exit', (code) => reject(new Error(`processor thread exited with ${code} before starting`)));
  });
  // A worker that fails later must not take this thread down: its error is kept in the counters it last sent.
  let failure: string | undefined;
  worker.on('error', (error) => (failure = error.message));
  let gone = false;
  void exited.then(() => (gone = true));
  const end = (how: 'stop' | 'abort') =>
    new Promise<ProcessorCounters>((resolve) => {
      const last = () => ({ ...current(), ...(failure ? { lastError: failure } : {}) });
      if (gone) return resolve(last());
      stopped = (c) => void exited.then(() => resolve(c));
      void exited.then(() => resolve(last()));
      worker.postMessage(how);
    });
  const current = (): ProcessorCounters =>
    counters ?? { recordsRead: 0, stored: 0, delivered: 0, deadLettered: 0, batches: 0, retries: 0, throttled: 0, iteratorAgeMs: 0, endToEndMs: { p50: 0, p95: 0, p99: 0, max: 0 }, millisBehindLatest: 0, shardsRunning: 0, shardsFinished: 0, errors: 0 };
  let ending: Promise<ProcessorCounters> | undefined;
  return {
    get counters() {
      return failure ? { ...current(), lastError: `processor thread: ${failure}` } : current();
    },
    stop: () => (ending ??= end('stop')),
    abort: () => (ending ??= end('abort')),
  };
}
