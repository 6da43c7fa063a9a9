/** `ingestlab dashboard` as a process: without a TTY it prints plain progress and the summary; bad flags exit 2. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const cli = (...args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(join(ROOT, 'node_modules', '.bin', 'tsx'), ['cli/main.ts', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });

test('without a terminal: plain progress lines with the scaling actions, then the summary', async () => {
  const r = await cli('dashboard', 'burst-spike', '--duration', '15m');
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/^ {2}0% 1s\/15m · 4 shards/m);
  expect(r.stderr).toMatch(/^100% 15m\/15m/m);
  expect(r.stderr).toMatch(/scaling at \d+m\d*s?: kinesis ingest 4 → 8/);
  expect(r.stdout).toContain('burst-spike');
  expect(r.stdout).toContain('Scaling');
  expect(r.stdout).not.toContain('PARTIAL');
});

test('--target other than sim exits 2 and points at the scenario command for real-pipeline runs', async () => {
  const r = await cli('dashboard', 'burst-spike', '--target', 'localstack');
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--target localstack: the dashboard watches simulator runs only (its live view of a real pipeline is not built yet); run it on the real pipeline with npm run scenario -- <name> --target localstack');
  const bad = await cli('dashboard', 'burst-spike', '--speed', 'fast');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--speed expects simulated seconds per wall second');
});
