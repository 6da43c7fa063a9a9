import { describe, expect, it } from 'vitest';
import { ms } from './format.ts';
import { chartHeight } from './summary-text.ts';

describe('the terminal summary (issue 9 #11)', () => {
  it('gives the text chart rows enough that 2,400 of demand and 4,000 of capacity do not share a row: ceil((32,000 − 2,400) / 1,600) = 19', () => {
    const demand = [2400, 2400, 12_000, 12_000];
    const capacity = [4000, 4000, 16_000, 32_000];
    expect(chartHeight(demand, capacity)).toBe(19);
    // Lines within a tenth of each other may share a row: the floor of 8 rows holds.
    expect(chartHeight([1000, 1000], [1050, 1050])).toBe(8);
    // Never taller than 20 rows.
    expect(chartHeight([0, 100_000], [10, 100_010])).toBe(20);
  });

  it('reads long times in minutes and hours: 86,048,800 ms is 23h54m9s, 4,878,300 ms is 1h21m18s', () => {
    expect(ms(86_048_800)).toBe('23h54m9s');
    expect(ms(4_878_300)).toBe('1h21m18s');
    expect(ms(52_607)).toBe('52.6 s');
    expect(ms(530)).toBe('530 ms');
  });
});
