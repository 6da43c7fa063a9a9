/** Spawns the real `ingestlab` process (node cli/bin.mjs) for the CLI's end-to-end tests. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time of the process, start to exit. */
  ms: number;
}

export interface CliOptions {
  /** Working directory; the repository root unless given. */
  cwd?: string;
  /** Added to the environment (NO_COLOR=1 is always set). */
  env?: Record<string, string>;
  /** Milliseconds before the process is killed (the promise then rejects); 60 s unless given. */
  timeout?: number;
}

/** Runs `ingestlab ...args` and resolves with its exit code and output; rejects only when it could not run or was killed. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(ROOT, 'cli', 'bin.mjs'), ...args],
      { cwd: options.cwd ?? ROOT, encoding: 'utf8', timeout: options.timeout ?? 60_000, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', ...options.env } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}
