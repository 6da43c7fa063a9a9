/** `ingestlab dashboard` as a process: without a TTY it prints plain progress and the summary (a simulator run, or a real run on the embedded pipeline); bad flags exit 2. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { validateDashboardOptions } from '../cli/dashboard-command.ts';
import { UsageError } from '../sim/errors.ts';

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

test('an unknown --target exits 2 with a one-line message per problem', async () => {
  const unknown = await cli('dashboard', 'burst-spike', '--target', 'k8s', '--time-scale', '10');
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('--target expects sim (the simulator) or embedded (a real run on the embedded pipeline), got "k8s"');
  expect(unknown.stderr).toContain('--time-scale is for real runs (--target embedded)');
});

test('usage errors: localstack and aws point at the scenario command; --speed is for the simulator, --time-scale and --sample for real runs', () => {
  const problems = (options: Parameters<typeof validateDashboardOptions>[0]) => {
    try {
      validateDashboardOptions(options);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    }
    return '';
  };
  expect(problems({ target: 'localstack' })).toBe('--target localstack: the dashboard watches sim and embedded runs; run it on localstack with npm run scenario -- <name> --target localstack');
  expect(problems({ target: 'aws' })).toContain('npm run scenario -- <name> --target aws');
  const real = problems({ target: 'embedded', speed: '600', sample: '0' });
  expect(real).toContain('--speed is for simulator runs');
  expect(real).toContain('--sample expects a positive number, got "0"');
  expect(problems({ speed: 'fast' })).toContain('--speed expects simulated seconds per wall second');
  expect(problems({ sample: '0.1' })).toContain('--sample is for real runs (--target embedded)');
  expect(validateDashboardOptions({ target: 'embedded', timeScale: '10', sample: '0.5' })).toEqual({ target: 'embedded', speed: 60, timeScale: 10, sample: 0.5 });
  expect(validateDashboardOptions({})).toEqual({ target: 'sim', speed: 60 });
});

test('--target embedded without a terminal: a real run with plain progress, then what it measured and the audit verdict', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingestlab-dashboard-'));
  try {
    const file = join(dir, 'tiny.yaml');
    // 2 tenants × 20 events/s, no noise, 1 shard, 8 s replayed 4× faster (2 s of load) with 1 event in 2 sent.
    writeFileSync(file, ['name: tiny', 'duration: 8s', 'tenants:', '  - name: t', '    count: 2', '    rate: 20', '    noise: none', 'kinesis:', '  shards: 1', ''].join('\n'));
    const r = await cli('dashboard', file, '--target', 'embedded', '--time-scale', '4', '--sample', '0.5');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^provisioning the embedded pipeline…$/m);
    expect(r.stderr).toMatch(/^load…$/m);
    expect(r.stderr).toMatch(/^audit OK: 320 stored, 320 delivered, none lost$/m);
    // 40 events/s × 8 s = 320 scenario events: 160 sent, each standing for 2.
    expect(r.stdout).toContain('tiny on the embedded pipeline (time scale 4, sample 0.5: counts in scenario units, each sent event standing for 2; latencies wall-clock)');
    expect(r.stdout).toContain('events     offered 320 · accepted 320 · rejected 0 · dropped 0 · failed 0');
    expect(r.stdout).toContain('storage    stored 320 · delivered 320 · dead-lettered 0 · missing 0');
    expect(r.stdout).toContain('kinesis    1 → 1 shards (max 1), 0 reshards, 0 records throttled');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
