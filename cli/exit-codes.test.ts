/**
 * Every failure maps to one clear line and its documented exit code (README "Exit codes"): the mapping itself in
 * process, then each failure of issue 9 through the real `ingestlab` process (cli/bin.mjs), which must never print a
 * stack trace.
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommanderError } from 'commander';
import { afterAll, describe, expect, test } from 'vitest';
import { ExitCode, PolicyError, ScenarioError, UsageError } from '../sim/errors.ts';
import { failureOf, npmSwallowHint } from './errors-to-exit.ts';
import { runCli } from '../test/cli-process.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const temps: string[] = [];
const temp = (parent = tmpdir()) => {
  const dir = mkdtempSync(join(parent, 'ingestlab-exit-'));
  temps.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

const cli = (args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Result> => runCli(args, options);

/** A stack trace line as node prints them. */
const STACK = /^\s+at .+[:(]/m;

/** Exit code, the one line expected, and never a stack trace. */
function expectClean(r: Result, code: number, line: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).toMatch(line);
  expect(r.stderr).not.toMatch(STACK);
}

const errno = (code: string, syscall: string, path: string) => Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });

describe('failureOf: one line and a code for every kind of failure', () => {
  test('filesystem errors name the verb, the path and the reason, exit 2', () => {
    expect(failureOf(errno('EACCES', 'mkdir', '/srv/out'))).toEqual({ code: 2, message: 'error: cannot create folder /srv/out: permission denied (EACCES)' });
    expect(failureOf(errno('EACCES', 'mkdtemp', '/srv/.run.tmp-XXXXXX'))).toEqual({ code: 2, message: 'error: cannot write in /srv: permission denied (EACCES)' });
    expect(failureOf(errno('EISDIR', 'read', 'scenarios'))).toEqual({ code: 2, message: 'error: cannot read scenarios: is a folder, expected a file (EISDIR)' });
    expect(failureOf(errno('EEXIST', 'mkdir', 'out'))).toEqual({ code: 2, message: 'error: cannot create folder out: already exists (EEXIST)' });
  });

  test('scenario, usage and policy errors exit 2; help exits 0; commander errors exit 2 with their own message', () => {
    const problem = { file: 'a.yaml', line: 3, column: 5, path: 'kinesis.shards', message: 'expected number, got string' };
    expect(failureOf(new ScenarioError([problem]))).toEqual({ code: 2, message: 'invalid scenario:\na.yaml:3:5 kinesis.shards: expected number, got string' });
    expect(failureOf(new UsageError('no bundled scenario named "x"'))).toEqual({ code: 2, message: 'error: no bundled scenario named "x"' });
    expect(failureOf(new PolicyError('policy ./p.ts: decide() threw'))).toEqual({ code: 2, message: 'error: policy ./p.ts: decide() threw' });
    expect(failureOf(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toEqual({ code: 0, message: '' });
    expect(failureOf(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"))).toEqual({ code: 2, message: '' });
  });

  test('anything else is an internal error: exit 1, one line and how to get the stack, which only debug prints', () => {
    const plain = failureOf(new RangeError('Invalid array length'));
    expect(plain.code).toBe(ExitCode.failure);
    expect(plain.message.split('\n')[0]).toBe('error: Invalid array length');
    expect(plain.message).not.toMatch(STACK);
    expect(failureOf(new RangeError('Invalid array length'), true).message).toMatch(STACK);
  });

  test('npm swallowing --seed: the hint rebuilds the command with --', () => {
    const env = { npm_lifecycle_event: 'scenario', npm_config_seed: 'true' };
    expect(npmSwallowHint(['--seed', '--set', '--json'], ['burst-spike', '7'], env)).toBe(
      'npm kept --seed for itself (flags after the script name need -- first); type:\n  npm run scenario -- burst-spike --seed 7',
    );
    expect(npmSwallowHint(['--seed'], ['burst-spike', '7'], { npm_config_seed: 'true' })).toBe(''); // not under npm
    expect(npmSwallowHint(['--seed'], ['burst-spike'], { npm_lifecycle_event: 'scenario' })).toBe(''); // npm took nothing of ours
  });
});

// Spawned CLIs share two cores with the rest of the suite: give them time, and assert on outcomes, not speed.
const SPAWNED = { timeout: 120_000 };

describe.concurrent('the real CLI: documented codes, one line, no stack trace', SPAWNED, () => {
  test("commander's own errors exit 2 like --speed abc: --seed abc, an unknown flag, a missing argument, extra arguments", async () => {
    const [seed, flag, missing, extra] = await Promise.all([
      cli(['scenario', 'burst-spike', '--seed', 'abc']),
      cli(['scenario', 'burst-spike', '--bogus']),
      cli(['scenario']),
      cli(['scenario', 'burst-spike', '7']),
    ]);
    expectClean(seed, 2, /^error: option '--seed <n>' argument 'abc' is invalid\. expected a whole number, got "abc"$/m);
    expectClean(flag, 2, /^error: unknown option '--bogus'$/m);
    expectClean(missing, 2, /^error: missing required argument 'scenario'$/m);
    expectClean(extra, 2, /^error: too many arguments for 'scenario'/m);
  });

  test('under npm without --, the error says what to type', async () => {
    const r = await cli(['scenario', 'burst-spike', '7'], { env: { npm_lifecycle_event: 'scenario', npm_config_seed: 'true' } });
    expectClean(r, 2, /^ {2}npm run scenario -- burst-spike --seed 7$/m);
  });

  test('a folder as the scenario, --resolution 0s, and a size that cannot finish exit 2 before simulating', async () => {
    const [folder, zero, huge] = await Promise.all([
      cli(['scenario', './scenarios']),
      cli(['scenario', 'steady', '--resolution', '0s']),
      cli(['scenario', 'steady', '--duration', '100000d']),
    ]);
    expectClean(folder, 2, /^error: \.\/scenarios is a folder; expected a bundled scenario name, a \.yaml file, or a run folder/m);
    expect(zero.code).toBe(2);
    expect(zero.stderr).not.toMatch(STACK);
    expect(zero.stderr).toMatch(/resolution/);
    // 100,000 days at 1 s are 8.64e9 ticks: hours of computing, refused with the reason and a way out.
    expectClean(huge, 2, /^error: scenario steady cannot finish in reasonable time: 100000d at 1s resolution is 8,640,000,000 ticks, about .* use --resolution/m);
  });

  test('--out naming a file, a folder ingestlab did not write, or under a file exits 2 and leaves them untouched', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    mkdirSync(join(dir, 'own'));
    writeFileSync(join(dir, 'own', 'report.md'), 'my own report');
    const [file, foreign, under] = await Promise.all([
      cli(['scenario', 'steady', '--out', join(dir, 'notes.txt')]),
      cli(['scenario', 'steady', '--out', join(dir, 'own')]),
      cli(['scenario', 'steady', '--out', join(dir, 'notes.txt', 'run')]),
    ]);
    expectClean(file, 2, /^error: output folder .*notes\.txt is a file; expected a folder/m);
    expectClean(foreign, 2, /^error: output folder .*own holds files that ingestlab did not write \(report\.md\); choose another --out, or add --force/m);
    expectClean(under, 2, /^error: cannot .*notes\.txt.*\((ENOTDIR|EEXIST)\)$/m);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(join(dir, 'own', 'report.md'), 'utf8')).toBe('my own report');
    // Refused before simulating: a 1-hour run would print its summary first.
    expect(foreign.stdout).toBe('');
  });

  // Root writes anywhere, so an unwritable folder needs another user: nobody, through setpriv, when the test runs as root.
  const asNobody = process.getuid?.() === 0 && existsSync('/usr/bin/setpriv');
  if (!asNobody) console.log('skipping the real EACCES test: it needs root and /usr/bin/setpriv to run the CLI as nobody');
  test.skipIf(!asNobody)('an unwritable --out fails at once with EACCES, before simulating', async () => {
    const dir = temp();
    chmodSync(dir, 0o755);
    const r = await new Promise<Result>((resolve) => {
      const started = Date.now();
      execFile(
        '/usr/bin/setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(ROOT, 'cli', 'bin.mjs'), 'scenario', 'steady', '--out', join(dir, 'run')],
        { cwd: tmpdir(), encoding: 'utf8', timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr, ms: Date.now() - started }),
      );
    });
    expectClean(r, 2, new RegExp(`^error: cannot write in ${dir}: permission denied \\(EACCES\\)$`, 'm'));
    expect(r.stdout).toBe(''); // an hour of steady would have printed its summary
  });

  test('accepted events lost: exit 98 in scenario, check and compare, unless expect: accepts the losses', async () => {
    // table-per-day runs out of tables on day 5, so a day of accepted events expires unread; its expect: allows that.
    const noExpect = ['--set', 'expect={}'];
    const lostRun = join(temp(), 'run');
    const [scenario, allowed, check, compare] = await Promise.all([
      cli(['scenario', 'table-per-day', '--resolution', '1m', ...noExpect, '-q', '--out', lostRun]),
      cli(['scenario', 'table-per-day', '--resolution', '1m', '-q', '--out', join(temp(), 'run')]),
      cli(['check', 'table-per-day', '--set', 'resolution=1m', ...noExpect, '--no-baseline', '-q']),
      cli(['compare', 'table-per-day', '--resolution', '1m', ...noExpect, '-q', '--out', join(temp(), 'compare')]),
    ]);
    expectClean(compare, ExitCode.eventsLost, /^FAILED: baseline: [\d,]+ accepted events lost/m);
    // Rebuilding the lost run's report says so again.
    expectClean(await cli(['report', lostRun, '-q']), ExitCode.eventsLost, /^FAILED: [\d,]+ accepted events lost/m);
    expectClean(scenario, ExitCode.eventsLost, /^FAILED: [\d,]+ accepted events lost \(of [\d,]+ accepted\) \(exit 98\)$/m);
    expect(scenario.stdout).toBe(''); // -q: nothing but the failure line
    expect(allowed.code).toBe(0);
    expect(check.code).toBe(98);
    expect(check.stdout).toMatch(/^ {4}✗ {2}[\d,]+ accepted events lost/m);
    expect(check.stdout).toMatch(/1 of 1 scenario failed: 1 scenario lost accepted events or did not balance/);
  });
});

describe.concurrent('user policies: errors, endless loops, and a policy kept outside the repository', SPAWNED, () => {
  const scenario = (policy: string) => `name: own-policy
duration: 10m
seed: 1
tenants: [{ name: t, count: 10, rate: 50 }]
kinesis: { shards: 1, autoscaler: { policy: ${policy} } }
`;
  const policy = (decide: string) => `import { z, definePolicy } from 'ingestlab/policy';
export default definePolicy({
  name: 'p', service: 'kinesis',
  configSchema: z.object({ policy: z.string() }),
  checkIntervalSeconds: () => 60,
  initialState: () => ({}),
  decide(view) {
${decide}
    return { action: { kind: 'none' }, state: view.state };
  },
});
`;
  const folder = (files: Record<string, string>) => {
    const dir = temp();
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };

  test('decide() that throws: exit 2 naming the policy, the time and the line, in scenario and through check on worker threads', async () => {
    const dir = folder({ 'p.ts': policy("    if (view.now >= 300) throw new Error('no metrics today');"), 's.yaml': scenario('./p.ts') });
    const [run, check] = await Promise.all([
      cli(['scenario', 's.yaml', '--out', 'run'], { cwd: dir }),
      cli(['check', 's.yaml', 'burst-spike', '--set', 'duration=10m', '--no-baseline', '--jobs', '2'], { cwd: dir }),
    ]);
    // The first check at or after 300 s: checks run every 60 s from 60 s.
    expectClean(run, 2, /^error: policy \.\/p\.ts: decide\(\) threw at 300 s simulated: no metrics today \(p\.ts:8:\d+\)$/m);
    expectClean(check, 2, /^error: policy \.\/p\.ts: decide\(\) threw at 300 s simulated: no metrics today/m);
    expect(existsSync(join(dir, 'run'))).toBe(false); // nothing half-written
  });

  test('a module that throws on import: exit 2 naming the module', async () => {
    const dir = folder({ 'p.ts': "throw new Error('cannot start');\n", 's.yaml': scenario('./p.ts') });
    expectClean(await cli(['scenario', 's.yaml', '-q'], { cwd: dir }), 2, /^error: policy module \.\/p\.ts failed to load: cannot start \(p\.ts:1:7\)$/m);
  });

  test('an endless loop in decide() is stopped by the time budget: exit 2 with the reason, not a hang', async () => {
    const dir = folder({ 'p.ts': policy('    for (;;) {}'), 's.yaml': scenario('./p.ts') });
    const r = await cli(['scenario', 's.yaml', '-q'], { cwd: dir, env: { INGESTLAB_POLICY_TIMEOUT_MS: '200' } });
    expectClean(r, 2, /^error: policy \.\/p\.ts: decide\(\) did not return within 200 ms at 60 s simulated \(an endless loop\?\)/m);
    expect(r.ms).toBeLessThan(60_000); // a hang would meet the spawn's own 60 s kill first
  });

  test('examples/scale-on-throttles.ts copied to a folder outside the repository runs through the real CLI', async () => {
    const dir = temp();
    cpSync(join(ROOT, 'examples', 'scale-on-throttles.ts'), join(dir, 'scale-on-throttles.ts'));
    cpSync(join(ROOT, 'examples', 'burst-with-own-policy.yaml'), join(dir, 'burst-with-own-policy.yaml'));
    const r = await cli(['scenario', 'burst-with-own-policy.yaml', '--duration', '15m', '--json', '--out', 'run'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const first = JSON.parse(r.stdout).scaling.actions[0];
    // As examples.test.ts works out: minute 600's throttles are published at 780 s, when the policy asks for 4 → 8.
    expect(first).toMatchObject({ atSeconds: 780, from: 4, to: 8 });
    expect(first.reason).toMatch(/throttled records in minute 10: 4 → 8 shards/);
  });
});
