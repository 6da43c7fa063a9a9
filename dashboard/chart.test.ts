import { expect, test } from 'vitest';
import { compact, lineChart, padVisible, sparkline, timeAxis } from './chart.ts';

test('compact axis labels', () => {
  expect([0, 7.5, 999, 1234, 45_000, 2_500_000, 3e9].map(compact)).toEqual(['0', '7.5', '999', '1.2k', '45k', '2.5M', '3.0G']);
  // asciichart's axis steps leave residues: -0.04 is 0 on the axis, never "-0.0" (issue 9 #11).
  expect([-0.04, -1e-12, 0.049, -0.06].map(compact)).toEqual(['0', '0', '0', '-0.1']);
});

test('a line chart is exactly height lines of width columns, whatever the data', () => {
  for (const series of [[], [0, 0, 0], [1, 5, 3, 100_000]]) {
    const lines = lineChart([series, series.map(() => 2)], { width: 30, height: 5, points: 23 });
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line.length).toBe(30);
  }
});

test('sparklines scale to their own maximum, zero is blank', () => {
  expect(sparkline([0, 1, 2, 4, 8], 5)).toBe(' ▁▂▄█');
  expect(sparkline([5], 3)).toBe('  █');
  expect(sparkline([0, 0], 2)).toBe('  ');
});

test('time axis and ANSI-aware padding', () => {
  expect(timeAxis(20, '0', '40m')).toBe('       0         40m');
  expect(padVisible('\x1b[36mab\x1b[39m', 4)).toBe('\x1b[36mab\x1b[39m  ');
  expect(padVisible('\x1b[36mabcdef\x1b[39m', 3)).toBe('\x1b[36mabc\x1b[0m');
});
