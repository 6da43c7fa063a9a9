/** TEST STAND-IN host: runs the ingest API stand-in on a worker thread, so a test may block its main thread. */
import { parentPort, workerData } from 'node:worker_threads';
import { startIngestStandIn } from './ingest-stand-in.ts';

const { keys, throttleFirstAttempt } = workerData as { keys: Record<string, string>; throttleFirstAttempt: boolean };
const server = await startIngestStandIn({
  keys,
  retryAfterSeconds: 0,
  ...(throttleFirstAttempt ? { throttle: (r) => r.headers['x-ingestlab-attempt'] === '0' } : {}),
});
parentPort!.on('message', async (m: { type: string }) => {
  if (m.type === 'received') parentPort!.postMessage({ type: 'received', received: server.received.map((r) => ({ ...r })), answered: server.answered });
  if (m.type === 'close') {
    await server.close();
    parentPort!.postMessage({ type: 'closed' });
  }
});
parentPort!.postMessage({ type: 'ready', url: server.url });
