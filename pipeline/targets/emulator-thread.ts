/**
 * Starts one emulator in a worker thread (emulator-worker.ts) and returns its URL. Located as the processor's worker is
 * (processor-thread.ts): from the compiled CLI, the build's `emulator-worker.js`; from source, the TypeScript through
 * tsx's API.
 */
import { startWorker } from '../../cli/worker-thread.ts';
import type { EmulatorWorkerData, EmulatorWorkerMessage } from './emulator-worker.ts';

export interface EmulatorThread {
  url: string;
  /** Closes the emulator's server, then ends the thread (terminated once it has, or after 5 s). */
  stop(): Promise<void>;
}

export async function startEmulatorThread(data: EmulatorWorkerData): Promise<EmulatorThread> {
  const worker = startWorker(new URL('./emulator-worker.ts', import.meta.url), 'emulator-worker.js', data);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (m: EmulatorWorkerMessage) => {
        if (m.type === 'started') resolve(m.port);
        else if (m.type === 'error') reject(new Error(`${data.kind} emulator thread: ${m.message}`));
      });
      worker.once('exit', (code) => reject(new Error(`${data.kind} emulator thread exited with ${code} before starting`)));
    });
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  // An emulator that fails later must not take this thread down; its clients see the failure as refused connections.
  worker.on('error', () => undefined);
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      (stopping ??= (async () => {
        const stopped = new Promise<void>((resolve) => worker.on('message', (m: EmulatorWorkerMessage) => m.type === 'stopped' && resolve()));
        worker.postMessage('stop');
        await Promise.race([stopped, exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
        await worker.terminate();
      })()),
  };
}
