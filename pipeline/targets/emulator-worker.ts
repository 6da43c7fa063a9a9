/**
 * One emulator (kinesalite, dynalite or s3rver) in a worker thread of its own, started by emulator-thread.ts for the
 * embedded target: each then has an event loop, and on 2 cores a core when free, instead of sharing the main thread
 * with the edge, the API and each other. It listens on a free 127.0.0.1 port, posts it back, and on 'stop' closes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import kinesalite from 'kinesalite';
import dynalite from 'dynalite';
import S3rver from 's3rver';

export interface EmulatorWorkerData {
  kind: 'kinesis' | 'dynamodb' | 's3';
  /** The emulator's own options (kinesalite's, dynalite's, or s3rver's; port and address are set here). */
  options: Record<string, unknown>;
}

export type EmulatorWorkerMessage = { type: 'started'; port: number } | { type: 'error'; message: string } | { type: 'stopped' };

async function start(data: EmulatorWorkerData): Promise<{ port: number; close: () => Promise<void> }> {
  if (data.kind === 's3') {
    const s3 = new S3rver({ ...data.options, port: 0, address: '127.0.0.1' });
    const address = (await s3.run()) as AddressInfo;
    return { port: address.port, close: () => s3.close() };
  }
  const server: Server = data.kind === 'kinesis' ? kinesalite(data.options) : dynalite(data.options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const port = parentPort!;
const data = workerData as EmulatorWorkerData;
start(data).then(
  (running) => {
    port.once('message', () => {
      void running
        .close()
        .catch(() => undefined)
        .then(() => {
          port.postMessage({ type: 'stopped' } satisfies EmulatorWorkerMessage);
          port.close();
        });
    });
    port.postMessage({ type: 'started', port: running.port } satisfies EmulatorWorkerMessage);
  },
  (error: Error) => {
    port.postMessage({ type: 'error', message: error.message } satisfies EmulatorWorkerMessage);
    port.close();
  },
);
