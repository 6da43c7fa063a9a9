import { describe, expect, it } from 'vitest';
import { periodOfTable, periodStart, sortKey, tableNameFor } from './event-tables.ts';

const DAY = 86_400_000;

describe('period tables: names from the simulator, and back to their period', () => {
  it('names ISO weeks as the simulator does, across year boundaries', () => {
    expect(tableNameFor(Date.UTC(2026, 0, 5, 10), 'week')).toBe('events_2026_W02'); // Monday 5 January 2026
    expect(tableNameFor(Date.UTC(2026, 0, 4, 23, 59), 'week')).toBe('events_2026_W01'); // Sunday: still week 1
    expect(tableNameFor(Date.UTC(2025, 11, 29), 'week')).toBe('events_2026_W01'); // Monday 29 Dec 2025 is in 2026's week 1
    expect(tableNameFor(Date.UTC(2021, 0, 3), 'week')).toBe('events_2020_W53'); // 2020 had 53 weeks
    expect(tableNameFor(Date.UTC(2026, 0, 5, 10), 'day')).toBe('events_2026_01_05');
  });

  it('turns every week and day table name back into the start of its period', () => {
    for (let t = Date.UTC(2019, 11, 1); t < Date.UTC(2027, 1, 1); t += 3 * DAY + 7_777_777) {
      for (const per of ['week', 'day'] as const) {
        const period = periodOfTable(tableNameFor(t, per));
        expect(period).toEqual({ start: periodStart(t, per), tablePer: per });
      }
    }
    expect(periodStart(Date.UTC(2026, 0, 8, 13), 'week')).toBe(Date.UTC(2026, 0, 5));
    expect(periodOfTable('ingestlab_leases')).toBeUndefined();
  });

  it('sorts a tenant\'s events by time, then id, and keys a re-sent event the same', () => {
    const a = sortKey({ tenant: 't', timestamp: 999_999_999_999, id: 'b' });
    const b = sortKey({ tenant: 't', timestamp: 1_000_000_000_000, id: 'a' });
    expect(a < b).toBe(true);
    expect(a).toBe('0999999999999#b');
    expect(sortKey({ tenant: 't', timestamp: 1_000_000_000_000, id: 'a' })).toBe(b);
  });
});
