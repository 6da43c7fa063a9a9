/**
 * Fuzzing the loader and the CLI (issue 9, "How we will know"): a few thousand generated broken or extreme scenarios
 * and flags, seeded so every run of the test meets the same cases. Each must end in a documented way: exit 0, 2 (invalid
 * input, one message), 98 (events lost) or 99 (expectations), never 1 (an internal error), never a stack trace, never a
 * hang. Most cases run in process (the command's own steps: load with overrides, size check, simulate when small, the
 * outcome, the error mapping); a sample goes through the real spawned CLI with random flags.
 *
 * FUZZ_REPORT=1 prints the exit codes met; FUZZ_TRACE=<file> writes each case there before it runs, so a hang leaves
 * the case that hung in the file. Cases it found: an alias without its anchor, producer.maxRetries: 31536000 (stack
 * overflow), rate: 1e308 (NaN bills), a billion tenants (hours of set-up).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import { afterAll, describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseScenario } from '../scenarios/load.ts';
import { evaluateExpectations } from '../sim/expectations.ts';
import { simulate } from '../sim/simulation.ts';
import { failureOf } from './errors-to-exit.ts';
import { runOutcome } from './outcome.ts';
import { parseOverrides } from './overrides.ts';
import { assertRunSize } from './run-size.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const DOCUMENTED = [0, 2, 98, 99];
const STACK = /^\s+at .+[:(]/m;
const BASES = ['steady', 'burst-spike', 'hot-tenant', 'tenant-onboarding'].map((n) => parse(readFileSync(join(ROOT, 'scenarios', `${n}.yaml`), 'utf8')) as Record<string, unknown>);

type Random = () => number;
const pick = <T>(rng: Random, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

/** Values a careless or hostile file might hold anywhere. */
const WEIRD: readonly unknown[] = [
  null, true, false, 0, -1, 1, 0.5, -0.001, 1e308, -1e308, 2 ** 53, 1e-300, '', 'abc', '0s', '-5s', '1ms', '1h30m', '100000d',
  '5m', '1e9', 'NaN', 'Infinity', '∞', '\u0000', '../../../../tmp/x', [], [1, 2], {}, { x: 1 }, { policy: 'none' }, 'none',
  'on-demand', 'provisioned', 'tenant', 'week', 'day', 86_400 * 365, 60, 7, 1e6,
];

function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  if (prefix.length > 0) out.push(prefix);
  return out;
}

function setIn(target: any, path: (string | number)[], value: unknown, remove = false): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = node?.[key];
  if (!node || typeof node !== 'object') return;
  const last = path.at(-1)!;
  if (remove) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
}

/** One generated scenario text and the overrides (as `--set` would give them) to load it with. */
function generate(rng: Random): { text: string; sets: string[] } {
  const data = structuredClone(pick(rng, BASES));
  // Keep runs short unless a mutation makes them long: the point is the inputs, not the simulator's speed.
  data.duration = pick(rng, ['1m', '2m', '90s', 30, '1m30s']);
  data.resolution = pick(rng, ['1s', '5s', '10s', 1]);
  const all = paths(data);
  // Half the cases are plausible but extreme (every number anywhere from 0 to a million, which mostly loads and runs);
  // the other half are broken (wrong types, missing or unknown keys, odd strings).
  const plausible = rng() < 0.5;
  const numeric = all.filter((p) => {
    let node: any = data;
    for (const key of p) node = node?.[key];
    return typeof node === 'number';
  });
  const mutations = 1 + Math.floor(rng() * 3);
  for (let i = 0; i < mutations; i++) {
    const path = pick(rng, plausible && numeric.length > 0 ? numeric : all);
    const r = rng();
    if (plausible) setIn(data, path, rng() < 0.5 ? Math.floor(10 ** (rng() * 6)) : Number((10 ** (rng() * 9 - 3)).toPrecision(3)));
    else if (r < 0.2) setIn(data, path, undefined, true);
    else if (r < 0.3) setIn(data, [...path.slice(0, -1), pick(rng, ['extra', 'shard', 'rates', 'polcy'])], pick(rng, WEIRD));
    else setIn(data, path, structuredClone(pick(rng, WEIRD)));
  }
  let text = stringify(data);
  const r = rng();
  // A few texts are broken as text: cut short, a stray character, a line twice.
  if (r < 0.05) text = text.slice(0, Math.floor(rng() * text.length));
  else if (r < 0.1) {
    const at = Math.floor(rng() * text.length);
    text = text.slice(0, at) + pick(rng, [':', '"', '{', '- ', '\t', '&a', '*b', '!!binary ', '\n  ']) + text.slice(at);
  } else if (r < 0.13) {
    const lines = text.split('\n');
    const i = Math.floor(rng() * lines.length);
    lines.splice(i, 0, lines[i]!);
    text = lines.join('\n');
  }
  const sets: string[] = [];
  if (rng() < 0.3) {
    const key = pick(rng, ['kinesis.shards', 'tenants.0.rate', 'tenants.0.count', 'duration', 'resolution', 'seed', 'dynamodb.writeCapacity', 'tenants.5.rate', 'kinesis', 'expect', 'firehose.bufferSeconds']);
    sets.push(`${key}=${pick(rng, ['0', '-1', '1e9', 'abc', '2m', '{}', '[]', 'null', '3', '0.5', '"x"', '{ a: 1 }', '100000d', '0s', ''])}`);
  }
  if (rng() < 0.05) sets.push(pick(rng, ['no-equals', '=1', '  =2']));
  return { text, sets };
}

/** What `ingestlab scenario` does with the file, in process: its exit code and what it would print on failure. */
function runCase(text: string, sets: string[]): { code: number; message: string; simulated: boolean } {
  try {
    const scenario = parseScenario(text, 'fuzz.yaml', parseOverrides(sets));
    const size = assertRunSize(scenario, 'fuzz');
    if (size.estimatedSeconds > 0.004) return { code: 0, message: '', simulated: false };
    const { summary, timeline } = simulate(scenario, { maxDrainSeconds: 600 });
    const expectations = scenario.expect.length > 0 ? evaluateExpectations(scenario.expect, summary, timeline) : undefined;
    return { code: runOutcome(summary, expectations, false).code, message: '', simulated: true };
  } catch (error) {
    return { ...failureOf(error), simulated: false };
  }
}

describe('fuzz: generated scenarios and flags end in a documented way', () => {
  test('2,000 generated scenarios in process: exit 0, 2, 98 or 99, one message, no stack trace', () => {
    const rng = seedrandom('ingestlab-fuzz-1');
    const codes = new Map<number, number>();
    const failures: string[] = [];
    let simulated = 0;
    const started = performance.now();
    for (let i = 0; i < 2000; i++) {
      const { text, sets } = generate(rng);
      const t0 = performance.now();
      if (process.env.FUZZ_TRACE) writeFileSync(process.env.FUZZ_TRACE, `case ${i} --set ${sets.join(' ')}\n${text}`);
      const r = runCase(text, sets);
      const ms = performance.now() - t0;
      codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
      if (r.simulated) simulated++;
      if (!DOCUMENTED.includes(r.code) || STACK.test(r.message) || (r.code === 2 && r.message.trim() === '') || ms > 5000) {
        failures.push(`case ${i} (--set ${sets.join(' ')}): exit ${r.code} in ${ms.toFixed(0)} ms: ${r.message.split('\n').slice(0, 3).join(' | ')}\n${text}`);
      }
    }
    if (process.env.FUZZ_REPORT) console.log(codes, simulated, performance.now() - started);
    expect(failures.slice(0, 3)).toEqual([]);
    // The generator must reach both ends: rejected input and runs that simulate.
    expect(codes.get(2) ?? 0).toBeGreaterThan(400);
    expect(simulated).toBeGreaterThan(100);
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 90_000);

  test('16 generated command lines through the real CLI: documented exit codes, no stack trace, none past 30 s', async () => {
    const rng = seedrandom('ingestlab-fuzz-cli');
    const dir = mkdtempSync(join(tmpdir(), 'ingestlab-fuzz-'));
    temps.push(dir);
    const cases: string[][] = [];
    for (let i = 0; i < 16; i++) {
      const { text } = generate(rng);
      const file = join(dir, `case-${i}.yaml`);
      writeFileSync(file, text);
      const command = pick(rng, ['scenario', 'scenario', 'check', 'compare', 'report', 'list', 'bogus']);
      const target = pick(rng, [file, file, 'steady', 'no-such-scenario', dir, join(dir, 'missing.yaml')]);
      const flags = [
        ...(rng() < 0.4 ? ['--seed', pick(rng, ['7', 'abc', '-1', '1e3', ''])] : []),
        ...(rng() < 0.4 ? ['--duration', pick(rng, ['1m', '0s', '-1m', 'x', '100000d'])] : []),
        ...(rng() < 0.3 ? ['--resolution', pick(rng, ['10s', '0s', '1ms', 'abc'])] : []),
        ...(rng() < 0.3 ? ['--set', pick(rng, ['kinesis.shards=2', 'x', 'tenants.0.rate=-5', 'duration=1m'])] : []),
        ...(rng() < 0.2 ? [pick(rng, ['--bogus', '-z', '--out', '--jobs'])] : []),
        ...(rng() < 0.2 ? [pick(rng, ['7', 'extra'])] : []),
      ];
      const out = command === 'scenario' || command === 'compare' || command === 'report' ? ['--out', join(dir, `out-${i}`)] : [];
      cases.push(command === 'list' ? ['list'] : command === 'check' ? ['check', target, '--no-baseline', '--jobs', '1', ...flags] : [command, target, ...flags, ...out, '-q']);
    }
    const results: { args: string[]; code: number | string; stderr: string }[] = [];
    const queue = [...cases];
    await Promise.all(
      [0, 1, 2].map(async () => {
        for (let args = queue.shift(); args; args = queue.shift()) {
          results.push(await new Promise((resolve) => {
            execFile(process.execPath, [join(ROOT, 'cli', 'bin.mjs'), ...args], { cwd: dir, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' }, (error, _out, stderr) =>
              resolve({ args, code: error ? (typeof error.code === 'number' ? error.code : `killed (${error.signal ?? error.code})`) : 0, stderr }),
            );
          }));
        }
      }),
    );
    const bad = results.filter((r) => typeof r.code !== 'number' || !DOCUMENTED.includes(r.code) || STACK.test(r.stderr));
    expect(bad.map((r) => `ingestlab ${r.args.join(' ')} → ${r.code}: ${r.stderr.split('\n').slice(0, 3).join(' | ')}`)).toEqual([]);
  }, 120_000);
});

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
