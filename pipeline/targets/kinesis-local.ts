/**
 * kinesis-local (kinesis-mock's Node build) as a child process, for measuring it against kinesalite. It reads
 * `server.json` from its working directory, so it is spawned with `cwd` set to its package folder
 * (emulators-and-peers.md §9); it is ready when `GET /healthcheck` answers 200.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createServer } from 'node:net';

export interface RunningKinesisLocal {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startKinesisLocal(options: { env?: Record<string, string>; startTimeoutMs?: number } = {}): Promise<RunningKinesisLocal> {
  const main = createRequire(import.meta.url).resolve('kinesis-local/main.js');
  const [plain, tls] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [main], {
    cwd: dirname(main),
    env: {
      ...process.env,
      KINESIS_MOCK_PLAIN_PORT: String(plain),
      KINESIS_MOCK_TLS_PORT: String(tls),
      SHARD_LIMIT: '10000',
      CREATE_STREAM_DURATION: '0ms',
      DELETE_STREAM_DURATION: '0ms',
      LOG_LEVEL: 'WARN',
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${plain}`;
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kinesis-local exited with ${child.exitCode}: ${stderr}`);
    const ok = await fetch(`${url}/healthcheck`).then((r) => r.ok, () => false);
    if (ok) return { url, pid: child.pid!, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`kinesis-local did not answer ${url}/healthcheck within ${options.startTimeoutMs ?? 20_000} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
