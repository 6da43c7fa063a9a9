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
      '2:11 duration: expected a duration such as 90s, 10m, 2h or 7d, got "soon"',
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
