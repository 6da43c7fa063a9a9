/**
 * The stream processor in a worker thread: its own event loop (and core, when one is free) beside the API and the
 * emulators, as the seed's Lambda runs apart from API Gateway. Started by processor-thread.ts; it posts its counters
 * every `reportMs`, drains on 'stop', stops at once on 'abort', and posts `{type: 'stopped', counters}` last.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createAwsClients } from '../aws-clients.ts';
import type { TargetEndpoints } from '../targets/target.ts';
import { StreamProcessor, type ProcessorCounters, type ProcessorOptions } from './stream-processor.ts';

export interface ProcessorWorkerData {
  target: Omit<TargetEndpoints, 'name'>;
  processor: Omit<ProcessorOptions, 'aws' | 'now'>;
  reportMs?: number;
}

export type ProcessorWorkerMessage =
  | { type: 'started' }
  | { type: 'counters'; counters: ProcessorCounters }
  | { type: 'stopped'; counters: ProcessorCounters }
  | { type: 'error'; message: string };

const data = workerData as ProcessorWorkerData;
const port = parentPort!;
const post = (m: ProcessorWorkerMessage) => port.postMessage(m);
const aws = createAwsClients({ name: 'embedded', ...data.target });
const processor = new StreamProcessor({ ...data.processor, aws });
try {
  await processor.start();
  post({ type: 'started' });
} catch (error) {
  post({ type: 'error', message: (error as Error).message });
  aws.destroy();
  process.exit(1);
}
const report = setInterval(() => post({ type: 'counters', counters: processor.counters }), data.reportMs ?? 100);
port.on('message', async (message: 'stop' | 'abort') => {
  clearInterval(report);
  await (message === 'abort' ? processor.abort() : processor.stop());
  post({ type: 'stopped', counters: processor.counters });
  aws.destroy();
  port.close();
});
