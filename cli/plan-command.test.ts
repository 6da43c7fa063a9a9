// `ingestlab plan` end to end: the real CLI process (cli/bin.mjs), its exit codes (0 found, 99 nothing passes, 2 bad
// input) and its --json on stdout.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../test/cli-process.ts';

const cli = (...args: string[]) => runCli(args);

/** 2,500 events/s of 100-byte events, no noise, random keys: 3 shards (3,000 records/s) is the fewest that drop nothing. */
const dir = mkdtempSync(join(tmpdir(), 'ingestlab-plan-cli-'));
const file = join(dir, 'constant.yaml');
writeFileSync(
  file,
  `name: constant-2500
duration: 2m
tenants:
  - { name: t, count: 25, rate: 100, noise: none, eventBytes: 100, batchSize: 10 }
kinesis: { shards: 1, partitionKey: random }
dynamodb: { writeCapacity: 10000 }
expect:
  events.dropped: "== 0"
`,
);

describe('ingestlab plan', () => {
  it('exits 0 and prints the winner (3 shards for 2,500 events/s) as JSON', async () => {
    const r = await cli('plan', file, '--vary', 'kinesis.shards=1..5:1', '--json', '-j', '1', '-o', join(dir, 'out'));
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { winner: { overrides: Record<string, unknown> }; search: { method: string } };
    expect(json.winner.overrides).toEqual({ 'kinesis.shards': 3 });
    expect(json.search.method).toBe('grid');
  }, 60_000);

  it('exits 99 when nothing passes (at most 2 shards), naming events.dropped', async () => {
    const r = await cli('plan', file, '--vary', 'kinesis.shards=1,2', '-j', '1', '-o', join(dir, 'out2'));
    expect(r.code).toBe(99);
    expect(r.stdout).toMatch(/events\.dropped fails on all 2 configurations/);
    expect(r.stdout).toMatch(/closest configuration: kinesis\.shards=2/);
  }, 60_000);

  it('exits 2 on a --vary without values, a folder of someone else\'s files as --out, or a varied tick, saying why', async () => {
    const r = await cli('plan', file, '--vary', 'kinesis.shards=');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--vary kinesis\.shards: no values; expected a\.\.b, a\.\.b:step, a\.\.bxF or v1,v2,\.\.\./);
    const foreign = join(dir, 'mine');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'my notes');
    const refused = await cli('plan', file, '--vary', 'kinesis.shards=1,2', '-o', foreign);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/holds files that ingestlab did not write \(notes\.txt\)/);
    const tick = await cli('plan', file, '--vary', 'resolution=1s,10s');
    expect(tick.code).toBe(2);
    expect(tick.stderr).toMatch(/--vary resolution: plan chooses the tick of each round/);
  }, 60_000);
});
