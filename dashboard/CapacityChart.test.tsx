import { render } from 'ink-testing-library';
import { expect, test } from 'vitest';
import { CapacityChart, type CapacityChartProps } from './CapacityChart.tsx';
import { plain } from './test-utils.ts';

const base: CapacityChartProps = {
  title: 'Kinesis',
  capacityLabel: '4 shards',
  unit: 'records/s',
  demand: [2400, 2400, 12_000, 12_000],
  capacity: [4000, 4000, 4000, 8000],
  demandNow: 12_000,
  capacityNow: 8000,
  width: 39,
  height: 6,
  end: '40m',
  color: false,
};

test('title with the capacity unit, current values, a plot of the given height and the time axis', () => {
  const lines = plain(render(<CapacityChart {...base} />).lastFrame()).split('\n');
  expect(lines[0]).toBe('Kinesis · 4 shards (records/s)');
  expect(lines[1]).toBe('offered 12,000 vs capacity 8,000 OVER');
  expect(lines).toHaveLength(2 + 6 + 1);
  expect(lines[2]).toMatch(/^ {2}13k [┤┼]/);
  expect(lines[7]).toMatch(/^ {4}0 ┤/);
  expect(lines[8]!.trim()).toMatch(/^0 +40m$/);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(39);
});

test('no OVER while demand is within capacity; a placeholder before the first interval', () => {
  const frame = plain(render(<CapacityChart {...base} demand={[]} capacity={[]} demandNow={0} capacityNow={4000} />).lastFrame());
  expect(frame).not.toContain('OVER');
  expect(frame).toContain('waiting for the first interval');
});
