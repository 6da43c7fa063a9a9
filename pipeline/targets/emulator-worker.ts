/**
 * One emulator (kinesalite, dynalite or s3rver) in a worker thread of its own, started by emulator-thread.ts for the
 * embedded target: each then has an event loop, and on 2 cores a core when free, instead of sharing the main thread
 * with the edge, the API and each other. It listens on a free 127.0.0.1 port, posts it back, and on 'stop' closes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { installKinesaliteBigInt } from './kinesalite-bigint.ts';

export interface EmulatorWorkerData {
  kind: 'kinesis' | 'dynamodb' | 's3';
  /** The emulator's own options (kinesalite's, dynalite's, or s3rver's; port and address are set here). */
  options: Record<string, unknown>;
}

export type EmulatorWorkerMessage = { type: 'started'; port: number } | { type: 'error'; message: string } | { type: 'stopped' };

async function start(data: EmulatorWorkerData): Promise<{ port: number; close: () => Promise<void> }> {
  // Each thread loads only its own emulator, and kinesalite only after its arithmetic is swapped for BigInt.
  if (data.kind === 's3') {
    const { default: S3rver } = await import('s3rver');
    const s3 = new S3rver({ ...data.options, port: 0, address: '127.0.0.1' });
    const address = (await s3.run()) as AddressInfo;
    return { port: address.port, close: () => s3.close() };
  }
  let server: Server;
  if (data.kind === 'kinesis') {
    installKinesaliteBigInt();
    server = (await import('kinesalite')).default(data.options);
  } else {
    server = (await import('dynalite')).default(data.options);
  }
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
