/**
 * End-to-end tests of the CLI: every test spawns the real `ingestlab` process (cli/bin.mjs) (no mocks) and checks its exit
 * code, stdout, stderr and the files it writes. Broken scenario files live in test/fixtures/, written so that the
 * line and column of each problem is known by construction. Runs use bundled burst-spike cut to a few minutes
 * (about half a second each) and write into temp folders that are removed afterwards.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { failureOf } from './errors-to-exit.ts';
import { runScenarioCommand, type ScenarioOptions } from './scenario-command.ts';
import { runCli } from '../test/cli-process.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const FIXTURES = join(ROOT, 'test', 'fixtures');

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node cli/bin.mjs ...args` (the `ingestlab` command) in the repository root and resolves with its exit code and output. */
function cli(...args: string[]): Promise<RunResult> {
  return runCli(args, { timeout: 50_000 });
}

/**
 * `ingestlab scenario <target>` in this process: the command function and the CLI's own error mapping, with stdout and
 * stderr captured. For failures found before anything runs a spawn adds only start-up time; commander's own parsing
 * and the launcher are tested through the real process below.
 */
async function scenarioInProcess(target: string, options: Partial<ScenarioOptions> = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  let code: number;
  try {
    code = await runScenarioCommand(target, { set: [], color: false, quiet: true, ...options });
  } catch (error) {
    const failure = failureOf(error);
    if (failure.message) stderr += `${failure.message}\n`;
    code = failure.code;
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { code, stdout, stderr };
}

interface Problem {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

/** The `file:line:col path: message` lines of a ScenarioError report. */
function problems(stderr: string): Problem[] {
  const out: Problem[] = [];
  for (const text of stderr.split('\n')) {
    const m = /^(.+?):(\d+):(\d+) (\(top level\)|\S+): (.*)$/.exec(text);
    if (m) out.push({ file: m[1]!, line: Number(m[2]), column: Number(m[3]), path: m[4]!, message: m[5]! });
  }
  return out;
}

/** The CLI may print a path as given or resolved; accept either. */
const fileOf = (path: string) => expect.toSatisfy((f: string) => f === path || f === relative(ROOT, path));

const fixture = (name: string) => join(FIXTURES, name);
const tempDirs: string[] = [];
const tempDir = (parent = tmpdir(), prefix = 'ingestlab-cli-') => {
  const dir = mkdtempSync(join(parent, prefix));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------
// 1. Broken scenario files: exit 2, and `file:line:col path: message` pointing at the offending line.
// ---------------------------------------------------------------------------------------------------------------

describe('broken scenario files exit 2 with file:line:col path: message', () => {
  /** Runs a fixture and checks it reports exactly these problems. */
  async function expectProblems(name: string, expected: Omit<Problem, 'file'>[]) {
    const file = fixture(name);
    const out = tempDir();
    const { code, stdout, stderr } = await scenarioInProcess(`test/fixtures/${name}`, { out });
    expect(code, stderr).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^invalid scenario/);
    expect(problems(stderr)).toEqual(expected.map((p) => ({ file: fileOf(file), ...p })));
    expect(readdirSync(out)).toEqual([]); // nothing written
    return stderr;
  }

  test('unknown key (kinesis.shard typo) points at the key itself and suggests the near miss', async () => {
    await expectProblems('unknown-key.yaml', [
      { line: 9, column: 3, path: 'kinesis.shard', message: 'unknown key "shard"; did you mean "shards"?' },
    ]);
  });

  test('wrong type (shards: four) says what was expected and found', async () => {
    await expectProblems('wrong-type.yaml', [
      { line: 7, column: 11, path: 'kinesis.shards', message: expect.stringMatching(/^expected number, got "four"$/) },
    ]);
  });

  test('bad duration (10 minutes) shows the accepted forms and the value found', async () => {
    await expectProblems('bad-duration.yaml', [
      {
        line: 3,
        column: 11,
        path: 'duration',
        message: expect.stringMatching(/^expected a duration such as 90s, 10m, 2h or 7d, or a number of seconds, got "10 minutes"$/),
      },
    ]);
  });

  test('negative rate in the second tenant group is reported at that rate', async () => {
    await expectProblems('negative-rate.yaml', [
      { line: 8, column: 11, path: 'tenants[1].rate', message: 'expected a number >= 0, got -5' },
    ]);
  });

  test('empty tenants list is reported at the []', async () => {
    await expectProblems('empty-tenants.yaml', [
      { line: 4, column: 10, path: 'tenants', message: expect.stringMatching(/expected at least one tenant group/) },
    ]);
  });

  test('YAML syntax error is reported where the parser stops', async () => {
    await expectProblems('yaml-syntax.yaml', [
      { line: 7, column: 11, path: '(top level)', message: expect.stringMatching(/^invalid YAML: Nested mappings are not allowed/) },
    ]);
  });

  test('duplicate key is reported at its second occurrence', async () => {
    await expectProblems('duplicate-key.yaml', [
      { line: 3, column: 1, path: '(top level)', message: expect.stringMatching(/^invalid YAML: Map keys must be unique/) },
    ]);
  });

  // The YAML parser reports a missing closing quote at the end of the file (here 6:1, a line the 5-line file does
  // not have); the useful position is the opening quote.
  test('unterminated quoted string is reported at its opening quote', async () => {
    await expectProblems('unterminated-quote.yaml', [
      { line: 4, column: 11, path: '(top level)', message: expect.stringMatching(/^invalid YAML: Missing closing "quote/) },
    ]);
  });

  test('unknown policy name lists the bundled policies', async () => {
    const stderr = await expectProblems('unknown-policy.yaml', [
      {
        line: 9,
        column: 13,
        path: 'kinesis.autoscaler.policy',
        message: expect.stringMatching(/^unknown policy "kinesis-scaling-utilz"; bundled: .*kinesis-scaling-utils/),
      },
    ]);
    for (const name of ['kinesis-scaling-utils', 'target-utilization', 'target-tracking', 'dynamic-dynamodb']) {
      expect(stderr).toContain(name);
    }
  });

  test("invalid field inside a policy section is reported at its own line by the policy's schema", async () => {
    await expectProblems('bad-policy-field.yaml', [
      {
        line: 13,
        column: 26,
        path: 'kinesis.autoscaler.scaleUp.scaleThresholdPct',
        message: 'expected number, got "high"',
      },
    ]);
  });

  test('policy module path that does not exist is reported at the policy line', async () => {
    await expectProblems('missing-policy-module.yaml', [
      {
        line: 9,
        column: 13,
        path: 'kinesis.autoscaler.policy',
        message: expect.stringMatching(/^policy module "\.\/no-such-policy\.ts" not found/),
      },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 2. Bad command lines.
// ---------------------------------------------------------------------------------------------------------------

describe('bad command lines exit 2', () => {
  const bundled = readdirSync(join(ROOT, 'scenarios'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''));

  test('unknown bundled scenario name lists the bundled scenarios', async () => {
    const { code, stdout, stderr } = await scenarioInProcess('no-such-scenario');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/no bundled scenario named "no-such-scenario"; bundled: /);
    for (const name of bundled) expect(stderr).toContain(name);
  });

  test('scenario path that does not exist', async () => {
    const { code, stderr } = await scenarioInProcess('test/fixtures/does-not-exist.yaml');
    expect(code).toBe(2);
    expect(stderr).toContain('scenario file not found: test/fixtures/does-not-exist.yaml');
  });

  test('--set without = is a usage error', async () => {
    const { code, stdout, stderr } = await scenarioInProcess('burst-spike', { set: ['kinesis.shards'] });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/--set expects key=value .*got "kinesis\.shards"/);
  });

  test('--set kinesis.shards=-1 is invalid and the message names the override', async () => {
    const out = tempDir();
    const { code, stdout, stderr } = await scenarioInProcess('burst-spike', { out, set: ['kinesis.shards=-1'] });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(problems(stderr)).toEqual([
      {
        file: join(ROOT, 'scenarios', 'burst-spike.yaml'),
        // The line of `  shards: 4` under `kinesis:` in burst-spike.yaml, found in the file so an edit above it does not matter.
        line: readFileSync(join(ROOT, 'scenarios', 'burst-spike.yaml'), 'utf8').split('\n').findIndex((l) => /^ {2}shards: 4\b/.test(l)) + 1,
        column: 11,
        path: 'kinesis.shards',
        message: 'expected a number > 0, got -1 (from the override kinesis.shards=-1)',
      },
    ]);
  });

  // Overrides index lists with a dotted number (tenants.0.rate); the problem path is written tenants[0].rate, and the
  // message must still say the value came from the override, not from the file (whose line says `rate: 12`).
  test('--set tenants.0.rate=-1 names the override too', async () => {
    const { code, stderr } = await scenarioInProcess('burst-spike', { set: ['tenants.0.rate=-1'] });
    expect(code).toBe(2);
    expect(problems(stderr)).toEqual([
      expect.objectContaining({ path: 'tenants[0].rate', message: expect.stringContaining('from the override tenants.0.rate=-1') }),
    ]);
  });

  test('--seed that is not a whole number (commander parses it: the real process)', async () => {
    const { code, stderr } = await cli('scenario', 'burst-spike', '--quiet', '--seed', 'abc');
    expect(code).toBe(2);
    expect(stderr).toContain('expected a whole number, got "abc"');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 3–5. Successful runs: --json, output files, determinism, overrides. Runs are started together and shared.
// ---------------------------------------------------------------------------------------------------------------

const SHORT = ['--duration', '3m'];

interface Run extends RunResult {
  out: string;
  summary: any;
  summaryFile: string;
  timeline: string;
}

async function runTo(...args: string[]): Promise<Run> {
  const out = tempDir();
  const result = await cli('scenario', ...args, '--out', out);
  if (result.code !== 0) throw new Error(`ingestlab ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  const summaryFile = readFileSync(join(out, 'summary.json'), 'utf8');
  return { ...result, out, summaryFile, summary: JSON.parse(summaryFile), timeline: readFileSync(join(out, 'timeline.csv'), 'utf8') };
}

describe('scenario runs', () => {
  let base: Run; // burst-spike, 3 minutes, scenario seed (42), --json
  let again: Run; // the same command again
  let otherSeed: Run; // --seed 7
  let overridden: Run; // --duration 2m --set kinesis.shards=8
  let text: Run; // without --json

  beforeAll(async () => {
    [base, again, otherSeed, overridden, text] = await Promise.all([
      runTo('burst-spike', ...SHORT, '--json'),
      runTo('burst-spike', ...SHORT, '--json'),
      runTo('burst-spike', ...SHORT, '--json', '--seed', '7'),
      runTo('burst-spike', '--duration', '2m', '--set', 'kinesis.shards=8', '--json'),
      runTo('burst-spike', ...SHORT),
    ]);
  }, 60_000);

  test('--json prints only valid JSON on stdout, nothing on stderr', () => {
    expect(base.code).toBe(0);
    expect(() => JSON.parse(base.stdout)).not.toThrow();
    expect(base.stdout.trim().startsWith('{')).toBe(true);
    expect(base.stdout.trim().endsWith('}')).toBe(true);
    expect(base.stderr).toBe('');
  });

  test('summary.json has the documented fields', () => {
    const s = JSON.parse(base.stdout);
    const num = expect.any(Number);
    expect(s).toMatchObject({
      scenario: 'burst-spike',
      target: 'sim',
      seed: 42,
      durationSeconds: 180,
      events: { offered: num, accepted: num, rejected: num, dropped: num, stored: num, delivered: num },
      kinesis: {
        shardsInitial: 4,
        shardsMax: num,
        shardsFinal: num,
        reshards: num,
        throttledRecords: num,
        shardHours: num,
        maxIteratorAgeMs: num,
      },
      latencyMs: { p50: num, p95: num, p99: num, max: num },
      scaling: {
        kinesis: { lagSeconds: num, underProvisionedSeconds: num, firstScaleUpAtSeconds: expect.toSatisfy((v) => v === null || typeof v === 'number') },
        actions: expect.any(Array),
      },
      cost: { totalUsd: num, perMillionEventsUsd: num, byService: expect.any(Object) },
    });
    expect(s.events.offered).toBeGreaterThan(0);
    expect(s.events.offered).toBe(s.events.accepted + s.events.rejected + s.events.dropped);
    expect(s.cost.totalUsd).toBeGreaterThan(0);
    const byService = Object.values(s.cost.byService) as unknown[];
    expect(byService.length).toBeGreaterThan(0);
    for (const usd of byService) expect(typeof usd).toBe('number');
    expect(s.latencyMs.p50).toBeLessThanOrEqual(s.latencyMs.p95);
    expect(s.latencyMs.p95).toBeLessThanOrEqual(s.latencyMs.p99);
    expect(s.latencyMs.p99).toBeLessThanOrEqual(s.latencyMs.max);
  });

  test('--out holds summary.json byte-identical to stdout and timeline.csv with one row per second', () => {
    expect(readdirSync(base.out).sort()).toEqual([
      '.ingestlab-run',
      'charts',
      'expectations.json',
      'report.html',
      'report.md',
      'scenario.resolved.yaml',
      'summary.json',
      'timeline.csv',
    ]);
    expect(base.summaryFile).toBe(base.stdout);
    expectTimeline(base.timeline, 180);
  });

  test('same seed twice gives byte-identical summary.json and timeline.csv', () => {
    expect(again.summaryFile).toBe(base.summaryFile);
    expect(again.timeline).toBe(base.timeline);
  });

  test('--seed takes effect and a different seed gives a different summary', () => {
    expect(otherSeed.summary.seed).toBe(7);
    expect(otherSeed.summaryFile).not.toBe(base.summaryFile);
    expect(otherSeed.summary.events.offered).not.toBe(base.summary.events.offered);
  });

  test('--duration and --set kinesis.shards=8 take effect', () => {
    const s = overridden.summary;
    expect(s.seed).toBe(42);
    expect(s.durationSeconds).toBe(120);
    expect(s.kinesis.shardsInitial).toBe(8);
    expect(s.kinesis.shardsFinal).toBe(8);
    expect(s.kinesis.shardsMax).toBe(8);
    expect(s.kinesis.shardHours).toBeCloseTo((8 * 120) / 3600, 2);
    expectTimeline(overridden.timeline, 120);
    const shardsColumn = overridden.timeline.split('\n')[0]!.split(',').indexOf('shards');
    if (shardsColumn > 0) expect(overridden.timeline.split('\n')[1]!.split(',')[shardsColumn]).toBe('8');
  });

  test('without --json the readable summary is printed and the files listed', () => {
    expect(text.stdout).toContain('burst-spike');
    expect(() => JSON.parse(text.stdout)).toThrow();
    expect(text.stdout).toContain(`wrote ${text.out}/ (summary.json, timeline.csv, report.md, report.html, scenario.resolved.yaml, expectations.json)`);
    expect(text.summaryFile).toBe(base.summaryFile);
  });
});

function expectTimeline(csv: string, seconds: number) {
  const lines = csv.trimEnd().split('\n');
  expect(lines[0]!.startsWith('t,')).toBe(true);
  const width = lines[0]!.split(',').length;
  const rows = lines.slice(1);
  expect(rows).toHaveLength(seconds);
  rows.forEach((row, i) => {
    const cells = row.split(',');
    expect(cells).toHaveLength(width);
    expect(cells[0]).toBe(String(i));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// 6. list and --help.
// ---------------------------------------------------------------------------------------------------------------

describe.concurrent('list and help', () => {
  test('list prints every bundled scenario name', async () => {
    const names = readdirSync(join(ROOT, 'scenarios'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.replace(/\.yaml$/, ''));
    expect(names).toContain('burst-spike');
    const { code, stdout, stderr } = await cli('list');
    expect(code, stderr).toBe(0);
    const listed = stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(/\s+/)[0]);
    expect(listed.sort()).toEqual(names.sort());
  });

  test('scenario --help mentions --json and --set', async () => {
    const { code, stdout } = await cli('scenario', '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('--json');
    expect(stdout).toContain('--set');
    expect(stdout).toContain('--seed');
    expect(stdout).toContain('--duration');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 7. A user policy module named by path.
// ---------------------------------------------------------------------------------------------------------------

describe('user policy module', () => {
  const REASON = 'test policy: capacity is 1, asking for 2';
  let dir: string;

  beforeAll(() => {
    // Under the repository so the module's bare `zod` import resolves to node_modules.
    dir = tempDir(join(ROOT, 'test'), 'tmp-');
    writeFileSync(
      join(dir, 'double-once.ts'),
      `import { z } from 'zod';
import type { ScalingPolicy } from '../../sim/policies/policy.ts';

const configSchema = z.looseObject({ policy: z.string() });
type Config = z.output<typeof configSchema>;

const policy: ScalingPolicy<Config, { asked: boolean }> = {
  name: 'double-once',
  service: 'kinesis',
  configSchema,
  checkIntervalSeconds: () => 30,
  initialState: () => ({ asked: false }),
  decide(view) {
    if (!view.state.asked && view.capacity === 1) {
      return { action: { kind: 'scale', to: 2, reason: ${JSON.stringify(REASON)} }, state: { asked: true } };
    }
    return { action: { kind: 'none' }, state: view.state };
  },
};
export default policy;
`,
    );
    writeFileSync(
      join(dir, 'scenario.yaml'),
      `name: user-policy
duration: 3m
seed: 3
tenants:
  - name: t
    count: 2
    rate: 50
kinesis:
  shards: 1
  reshardSeconds: 30
  autoscaler:
    policy: ./double-once.ts
`,
    );
  });

  test('a scenario naming a policy module by relative path runs it: one action 1 → 2 with its reason', async () => {
    const run = await runTo(relative(ROOT, join(dir, 'scenario.yaml')), '--json');
    const s = run.summary;
    expect(s.scenario).toBe('user-policy');
    expect(s.scaling.actions).toEqual([
      expect.objectContaining({ atSeconds: 30, service: 'kinesis', from: 1, to: 2, reason: REASON }),
    ]);
    expect(s.scaling.actions[0].refusal).toBeUndefined();
    expect(s.kinesis.shardsInitial).toBe(1);
    expect(s.kinesis.shardsMax).toBe(2);
    expect(s.kinesis.shardsFinal).toBe(2);
    expect(s.kinesis.reshards).toBe(1);
  });
});
