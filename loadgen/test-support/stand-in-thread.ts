/** TEST STAND-IN: the ingest API stand-in on a worker thread (see stand-in-worker.ts). */
import { Worker } from 'node:worker_threads';
import type { ReceivedRequest } from './ingest-stand-in.ts';

export interface StandInThread {
  readonly url: string;
  received(): Promise<{ received: ReceivedRequest[]; answered: number[] }>;
  close(): Promise<void>;
}

export async function startStandInThread(options: { keys: Record<string, string>; throttleFirstAttempt?: boolean }): Promise<StandInThread> {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const module = new URL('./stand-in-worker.ts', import.meta.url).href;
  const source = `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${JSON.stringify(module)}, ${JSON.stringify(import.meta.url)}));`;
  const worker = new Worker(source, { eval: true, workerData: { keys: options.keys, throttleFirstAttempt: options.throttleFirstAttempt ?? false } });
  const next = (type: string) =>
    new Promise<any>((resolve, reject) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== type) return;
        worker.off('message', onMessage);
        resolve(m);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  const { url } = await next('ready');
  return {
    url,
    async received() {
      const reply = next('received');
      worker.postMessage({ type: 'received' });
      return reply;
    },
    async close() {
      const closed = next('closed');
      worker.postMessage({ type: 'close' });
      await closed;
      await worker.terminate();
    },
  };
}
