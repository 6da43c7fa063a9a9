import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../sim/errors.ts';
import { parseScenario } from './load.ts';

const problems = (text: string, overrides: Record<string, unknown> = {}) => {
  try {
    parseScenario(text, 'f.yaml', overrides);
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
    throw error;
  }
  return [];
};

describe('scenario problems', () => {
  it('collects every problem, in file order, each at its own position', () => {
    const text = ['name: x', 'duration: soon', 'tenants:', '  - name: a', '    rate: -1', 'kinesis: { shards: 0 }'].join('\n');
    expect(problems(text)).toEqual([
      '2:11 duration: expected a duration such as 90s, 10m, 2h or 7d, or a number of seconds, got "soon"',
      '5:11 tenants[0].rate: expected a number >= 0, got -1',
      '6:20 kinesis.shards: expected a number > 0, got 0',
    ]);
  });

  it('suggests the key meant by a typo, or lists the keys allowed there', () => {
    const text = ['name: x', 'duration: 1m', 'tenants: [{ name: a, rate: 1, burst: [] }]', 'firehose: { bufferSize: 5 }'].join('\n');
    expect(problems(text)).toEqual([
      '3:31 tenants[0].burst: unknown key "burst"; did you mean "bursts"?',
      '4:13 firehose.bufferSize: unknown key "bufferSize"; expected one of bufferSeconds, bufferMb, quotaEra, recordsPerSecond, requestsPerSecond, mibPerSecond, quotaAutoIncrease, quotaIncrease',
    ]);
  });

  it('validates a policy section with the policy’s own schema', () => {
    const text = ['name: x', 'duration: 1m', 'tenants: [{ name: a, rate: 1 }]', 'dynamodb:', '  autoscaling: { policy: target-tracking, targetUtilization: 95 }'].join('\n');
    expect(problems(text)).toEqual(['5:62 dynamodb.autoscaling.targetUtilization: expected a number <= 90, got 95']);
  });

  it('names the override a problem comes from', () => {
    const text = ['name: x', 'duration: 1m', 'tenants: [{ name: a, rate: 1 }]'].join('\n');
    expect(problems(text, { 'kinesis.mode': 'fast' })[0]).toMatch(/kinesis.mode: expected one of "provisioned", "on-demand", got "fast" \(from the override kinesis.mode="fast"\)/);
  });
});

describe('durations and edge values (issue 9 #7)', () => {
  const head = ['name: x', 'duration: 1m', 'tenants: [{ name: a, rate: 1 }]'];
  const parse = (...lines: string[]) => parseScenario([...head, ...lines].join('\n'), 'f.yaml');

  it('a bare number is seconds wherever a duration goes: bufferSeconds: 60 = 60s, retention: 3600 = 1h', () => {
    const s = parse('firehose: { bufferSeconds: 60 }', 'lambda: { retention: 3600 }');
    expect(s.firehose.bufferSeconds).toBe(60);
    expect(s.lambda.retention).toBe(3600);
    expect(parseScenario('name: x\nduration: 90\ntenants: [{ name: a, rate: 1 }]', 'f.yaml').duration).toBe(90);
  });

  it('a key named ...Seconds takes a duration string too: reshardSeconds: 3m = 180, updateSeconds: 2m = 120', () => {
    const s = parse('kinesis: { reshardSeconds: 3m, splitMergeSeconds: 45 }', 'dynamodb: { updateSeconds: 2m, burstSeconds: 300 }');
    expect([s.kinesis.reshardSeconds, s.kinesis.splitMergeSeconds, s.dynamodb.updateSeconds, s.dynamodb.burstSeconds]).toEqual([180, 45, 120, 300]);
  });

  it('refuses a negative number, a list and true, each with file:line:col and what a duration looks like', () => {
    expect(problems([...head, 'firehose: { bufferSeconds: -5 }'].join('\n'))).toEqual([
      '4:28 firehose.bufferSeconds: expected a duration of 0s or more (a number is seconds), got -5',
    ]);
    expect(problems([...head, 'firehose: { bufferSeconds: [60] }', 'lambda: { retention: true }'].join('\n'))).toEqual([
      '4:28 firehose.bufferSeconds: expected a duration such as 90s, 10m, 2h or 7d, or a number of seconds, got a list',
      '5:22 lambda.retention: expected a duration such as 90s, 10m, 2h or 7d, or a number of seconds, got true',
    ]);
  });

  it('refuses duration: 0s and resolution: 0s (a run and a tick must last a while)', () => {
    expect(problems('name: x\nduration: 0s\ntenants: [{ name: a, rate: 1 }]')).toEqual(['2:11 duration: expected a run longer than 0s, such as 90s, 10m or 1h, got 0']);
    expect(problems('name: x\nduration: 1m\nresolution: 0s\ntenants: [{ name: a, rate: 1 }]')).toEqual([
      '3:13 resolution: expected a tick (resolution) longer than 0s, such as 90s, 10m or 1h, got 0',
    ]);
    expect(problems('name: x\ntenants: [{ name: a, rate: 1 }]')).toEqual(['1:1 duration: required: expected a duration such as 90s, 10m, 2h or 7d, or a number of seconds']);
  });
});
