import { describe, expect, it } from 'vitest';
import { DynamoDbModel, dynamoDbConfigSchema, periodTableName } from './dynamodb.ts';

const DAY = 86_400;

function make(overrides: Record<string, unknown> = {}): DynamoDbModel {
  return new DynamoDbModel(dynamoDbConfigSchema.parse(overrides));
}

/** Writes `items` per second (1 WCU each) over [from, to) in 1 s ticks; totals what was accepted and throttled. */
function run(m: DynamoDbModel, from: number, to: number, items: number, wcuPerItem = 1) {
  let accepted = 0;
  let throttled = 0;
  for (let t = from; t < to; t++) {
    m.advance(t);
    const r = m.write(t, 1, items, wcuPerItem);
    accepted += r.acceptedItems;
    throttled += r.throttledItems;
  }
  return { accepted, throttled };
}

const names = (m: DynamoDbModel) => m.tables().map((t) => t.name);

describe('config', () => {
  it('fills defaults from the reference and rejects unknown keys', () => {
    const c = dynamoDbConfigSchema.parse({});
    expect(c.mode).toBe('provisioned');
    expect(c.tableQuota).toBe(2_500);
    expect(c.maxTableWcu).toBe(40_000);
    expect(c.accountWcu).toBe(80_000);
    expect(c.burstSeconds).toBe(300);
    expect(c.decreaseRule).toBe('v4');
    expect(c.createAhead).toBe(24 * 3600);
    expect(c.onDemandWindow).toBe(30 * 60);
    expect(dynamoDbConfigSchema.safeParse({ writeCapcity: 5 }).success).toBe(false);
    expect(dynamoDbConfigSchema.parse({ createAhead: '2h' }).createAhead).toBe(2 * 3600);
    expect(dynamoDbConfigSchema.parse({ autoscaling: { policy: 'target-tracking', targetUtilization: 50 } }).autoscaling)
      .toEqual({ policy: 'target-tracking', targetUtilization: 50 });
    expect(dynamoDbConfigSchema.safeParse({ writeCapacity: 0 }).success).toBe(false);
    expect(dynamoDbConfigSchema.safeParse({ existingTables: 256, tableQuota: 256 }).success).toBe(false);
  });
});

describe('table names', () => {
  it('uses the ISO week-year, so late December can belong to next year and 2026 has a week 53', () => {
    // 2026-01-01 is a Thursday, so ISO 2026 has 53 weeks; Monday 2024-12-30 is in the week of Thursday 2025-01-02.
    expect(periodTableName(Date.UTC(2026, 0, 5) / 1000, 'week')).toBe('events_2026_W02');
    expect(periodTableName(Date.UTC(2026, 11, 31) / 1000, 'week')).toBe('events_2026_W53');
    expect(periodTableName(Date.UTC(2027, 0, 1, 12) / 1000, 'week')).toBe('events_2026_W53');
    expect(periodTableName(Date.UTC(2027, 0, 4) / 1000, 'week')).toBe('events_2027_W01');
    expect(periodTableName(Date.UTC(2024, 11, 30) / 1000, 'week')).toBe('events_2025_W01');
    expect(periodTableName(Date.UTC(2026, 0, 5, 23, 59) / 1000, 'day')).toBe('events_2026_01_05');
  });
});

describe('tables per period', () => {
  it('creates next week’s table createAhead (1 day) before the Monday boundary; old tables keep costing', () => {
    const m = make(); // t=0 is Monday 2026-01-05, ISO week 2
    expect(m.current(0)).toBe('events_2026_W02');
    m.advance(6 * DAY - 1);
    expect(names(m)).toEqual(['events_2026_W02']);
    m.advance(6 * DAY); // 7 days − createAhead 1 day
    expect(names(m)).toEqual(['events_2026_W02', 'events_2026_W03']);
    const w03 = m.tables()[1]!;
    expect(w03.createdAt).toBe(7 * DAY - DAY);
    expect(w03.periodStart).toBe(7 * DAY);
    expect(m.current(7 * DAY - 1)).toBe('events_2026_W02');
    expect(m.write(7 * DAY, 1, 10, 1).table).toBe('events_2026_W03');
    m.advance(8 * DAY);
    const u = m.usage();
    // W02: 100 WCU × 8 days × 24 h; W03: 100 WCU × 2 days × 24 h. RCU likewise at 5.
    expect(u.writeCapacityUnitHours).toBeCloseTo(100 * 8 * 24 + 100 * 2 * 24, 6);
    expect(u.readCapacityUnitHours).toBeCloseTo(5 * 8 * 24 + 5 * 2 * 24, 6);
    expect(u.tables).toBe(2);
  });

  it('starting mid-week, the first table’s period began before t=0', () => {
    const m = make({ startTime: '2026-01-07T12:00:00Z' }); // Wednesday noon: 2.5 days into the week
    expect(m.tables()[0]!.periodStart).toBe(-2.5 * DAY);
    expect(m.tables()[0]!.createdAt).toBe(0);
  });

  it('a table per day hits a quota of 3 tables on day 3: that day’s writes find no table', () => {
    // One table already in the account; day 1 makes 2, day 2 makes 3, day 3 is refused at its start.
    const m = make({ tablePer: 'day', tableQuota: 3, existingTables: 1, createAhead: '0s' });
    m.advance(DAY);
    expect(names(m)).toEqual(['events_2026_01_05', 'events_2026_01_06']);
    expect(m.write(DAY + 10, 1, 10, 1).missingTable).toBe(false);
    m.advance(2 * DAY);
    expect(m.refusals()).toEqual([
      { at: 2 * DAY, table: 'events_2026_01_07', message: 'LimitExceededException: table quota 3 reached' },
    ]);
    expect(m.current(2 * DAY + 100)).toBeUndefined();
    const r = m.write(2 * DAY + 100, 1, 10, 1);
    expect(r).toEqual({ acceptedItems: 0, throttledItems: 0, table: undefined, missingTable: true });
    m.advance(3 * DAY - 1);
    expect(m.refusals()).toHaveLength(1); // recorded once, not per tick
    expect(m.write(3 * DAY - 1, 1, 10, 1).missingTable).toBe(true);
  });

  it('refuses to create a table that would take the account over its WCU maximum', () => {
    const m = make({ tablePer: 'day', accountWcu: 1_000, updateSeconds: 0 }); // day 1 and day 2 tables at t=0
    expect(m.requestCapacity(0, 'events_2026_01_05', 600)).toEqual({ applied: true });
    // other tables 600 + 500 = 1,100 > 1,000
    expect(m.requestCapacity(0, 'events_2026_01_06', 500).refusal).toMatch(/^LimitExceededException: .*1000/);
    expect(m.requestCapacity(0, 'events_2026_01_06', 400)).toEqual({ applied: true }); // 600 + 400 = 1,000
    m.advance(DAY); // day 3's table: 1,000 + 100 > 1,000
    expect(m.refusals()[0]!.table).toBe('events_2026_01_07');
    expect(m.refusals()[0]!.message).toMatch(/^LimitExceededException: .*account maximum of 1000/);
  });
});

describe('provisioned writes and burst credits', () => {
  it('150 WCU on a 100 WCU table after 5 idle minutes lasts 10 minutes, then throttles 50 WCU/s', () => {
    const m = make({ writeCapacity: 100 });
    m.advance(300);
    expect(m.tables()[0]!.burstCredits).toBe(300 * 100);
    const burst = run(m, 300, 900, 150);
    // 30,000 credits / (150 − 100) per second = 600 s with nothing throttled
    expect(burst).toEqual({ accepted: 600 * 150, throttled: 0 });
    expect(m.tables()[0]!.burstCredits).toBe(0);
    const after = run(m, 900, 960, 150);
    expect(after).toEqual({ accepted: 60 * 100, throttled: 60 * 50 });
  });

  it('banks at most 300 s of capacity, and only what was unused', () => {
    const m = make({ writeCapacity: 100 });
    m.advance(1_000);
    expect(m.tables()[0]!.burstCredits).toBe(300 * 100); // not 1,000 × 100
    const m2 = make({ writeCapacity: 100 });
    run(m2, 0, 100, 60); // 40 WCU unused each second
    m2.advance(100);
    expect(m2.tables()[0]!.burstCredits).toBe(100 * 40);
  });

  it('counts WCU per item, and drains per-table counters once', () => {
    const m = make({ writeCapacity: 100 });
    const r = m.write(0, 1, 60, 2); // 120 WCU wanted, 100 available, no credits on a new table
    expect(r.acceptedItems).toBe(100 / 2);
    expect(r.throttledItems).toBe(60 - 100 / 2);
    expect(m.drainCounters()).toEqual([{ table: 'events_2026_W02', consumedWcu: 100, throttledRequests: 10 }]);
    expect(m.drainCounters()).toEqual([{ table: 'events_2026_W02', consumedWcu: 0, throttledRequests: 0 }]);
  });

  it('two writes in one tick share that tick’s capacity', () => {
    const m = make({ writeCapacity: 100 });
    expect(m.write(0, 1, 70, 1).acceptedItems).toBe(70);
    const second = m.write(0, 1, 70, 1);
    expect(second.acceptedItems).toBe(100 - 70);
    expect(second.throttledItems).toBe(70 - 30);
  });
});

describe('UpdateTable', () => {
  it('keeps the table UPDATING for updateSeconds (120), serving the old capacity meanwhile', () => {
    const m = make({ writeCapacity: 100 });
    const before = run(m, 0, 10, 150);
    expect(m.requestCapacity(10, 'events_2026_W02', 200)).toEqual({ applied: true });
    const t = m.tables()[0]!;
    expect([t.updating, t.writeCapacity, t.pendingWriteCapacity]).toEqual([true, 100, 200]);
    expect(m.requestCapacity(10, 'events_2026_W02', 300).refusal).toMatch(/^ResourceInUseException/);
    const during = run(m, 10, 130, 150);
    expect(m.tables()[0]!.writeCapacity).toBe(100);
    m.advance(130); // 10 + 120
    expect([t.updating, t.writeCapacity, t.pendingWriteCapacity]).toEqual([false, 200, undefined]);
    const after = run(m, 130, 200, 150);
    expect(before.throttled + during.throttled).toBe(130 * 50);
    expect(after.throttled).toBe(0);
    m.advance(3600);
    expect(m.usage().writeCapacityUnitHours).toBeCloseTo((100 * 130 + 200 * (3600 - 130)) / 3600, 9);
    expect(m.usage().writeCapacityMax).toBe(200);
  });

  it('refuses < 1, non-integer, > 40,000 and unchanged capacity', () => {
    const m = make();
    expect(m.requestCapacity(0, 'events_2026_W02', 0).refusal).toMatch(/^ValidationException/);
    expect(m.requestCapacity(0, 'events_2026_W02', 1.5).refusal).toMatch(/^ValidationException/);
    expect(m.requestCapacity(0, 'events_2026_W02', 40_001).refusal).toMatch(/^LimitExceededException: .*40000/);
    expect(m.requestCapacity(0, 'events_2026_W02', 100).refusal).toMatch(/^ValidationException/);
    expect(m.requestCapacity(0, 'events_2026_W99', 200).refusal).toMatch(/^ResourceNotFoundException/);
    expect(m.requestCapacity(0, 'events_2026_W02', 40_000).applied).toBe(true);
  });

  it('v4 (today): decreases at 0:00–0:03, 3:00–3:03 and 20:00–20:01 — 9 of 10 allowed (v3 allows 6)', () => {
    // v4: 4 at 0:00; one more at 1:00, 2:00, 3:00 → 3 available at 3:00, so 3:03 is refused; by 20:00 back to 4.
    // v3: 4, then one per hour without a decrease: 3:00 yes, 3:01–3:03 no, 20:00 yes, 20:01 no.
    const times = [0, 60, 120, 180, 3 * 3_600, 3 * 3_600 + 60, 3 * 3_600 + 120, 3 * 3_600 + 180, 20 * 3_600, 20 * 3_600 + 60];
    const allowed = (rule: string) => {
      const m = make({ writeCapacity: 1_000, updateSeconds: 0, decreaseRule: rule });
      return times.map((at) => m.requestCapacity(at, 'events_2026_W02', m.tables()[0]!.writeCapacity - 1).applied);
    };
    expect(allowed('v4')).toEqual([true, true, true, true, true, true, true, false, true, true]);
    expect(allowed('v3')).toEqual([true, true, true, true, true, false, false, false, true, false]);
  });

  it('v4: 27 a day at most (4 + one at each of 23 hours), never more than 4 at a time, 4 again the next UTC day', () => {
    const m = make({ writeCapacity: 1_000, updateSeconds: 0 });
    const name = 'events_2026_W02';
    const down = (at: number) => m.requestCapacity(at, name, m.tables()[0]!.writeCapacity - 1);
    for (const at of [0, 1, 2, 3]) expect(down(at).applied).toBe(true);
    expect(down(3_599).refusal).toMatch(/none available now/);
    for (let h = 1; h <= 23; h++) expect(down(h * 3_600).applied).toBe(true);
    expect(m.decreasesToday(23 * 3_600, name)).toBe(27);
    expect(down(DAY - 1).applied).toBe(false);
    // A quiet stretch banks at most 4: 4 allowed at 10:00 of day 2 after none since 0:00, not 10.
    const quiet = make({ writeCapacity: 1_000, updateSeconds: 0 });
    const q = (at: number) => quiet.requestCapacity(at, name, quiet.tables()[0]!.writeCapacity - 1).applied;
    expect([0, 1, 2, 3].map((k) => q(DAY + 10 * 3_600 + k))).toEqual([true, true, true, true]);
    expect(q(DAY + 10 * 3_600 + 4)).toBe(false);
    expect(down(DAY).applied).toBe(true);
  });

  it('v3: 4 decreases any time, a 5th only after an hour without one, the 28th in a UTC day refused', () => {
    const m = make({ writeCapacity: 1_000, updateSeconds: 0, decreaseRule: 'v3' });
    const name = 'events_2026_W02';
    const down = (at: number) => m.requestCapacity(at, name, m.tables()[0]!.writeCapacity - 1);
    for (const at of [0, 1, 2, 3]) expect(down(at).applied).toBe(true);
    expect(down(1_800).refusal).toMatch(/^LimitExceededException/); // 5th, inside the hour after the 4th
    expect(m.requestCapacity(1_800, name, 2_000).applied).toBe(true); // increases are not limited
    expect(down(3 + 3_599).applied).toBe(false); // 1 s short of an hour since the decrease at t=3
    expect(down(3 + 3_600).applied).toBe(true); // 5th
    expect(m.decreasesToday(3_603, name)).toBe(5);
    // One per quiet hour until the day ends: t = 3,603 + k × 3,600 for k = 1..22 (the last at 82,803 < 86,400).
    for (let k = 1; k <= 22; k++) expect(down(3_603 + k * 3_600).applied).toBe(true);
    expect(m.decreasesToday(82_803, name)).toBe(4 + 1 + 22);
    const refused = down(DAY - 1); // the 28th, at 23:59:59 UTC
    expect(refused.applied).toBe(false);
    expect(refused.refusal).toMatch(/27 of 27/);
    expect(down(DAY).applied).toBe(true); // a new UTC day
    expect(m.decreasesToday(DAY, name)).toBe(1);
  });

  it('v2 allows 4 then one per 4 quiet hours (9 a day); v1 allows 4 a day', () => {
    const v2 = make({ writeCapacity: 1_000, updateSeconds: 0, decreaseRule: 'v2' });
    const name = 'events_2026_W02';
    const down = (m: DynamoDbModel, at: number) => m.requestCapacity(at, name, m.tables()[0]!.writeCapacity - 1);
    for (const at of [0, 1, 2, 3]) expect(down(v2, at).applied).toBe(true);
    expect(down(v2, 3 + 3_600).applied).toBe(false); // an hour is enough under v3, not v2
    for (let k = 1; k <= 5; k++) expect(down(v2, 3 + k * 4 * 3_600).applied).toBe(true); // up to 72,003
    expect(v2.decreasesToday(72_003, name)).toBe(9);
    const v1 = make({ writeCapacity: 1_000, updateSeconds: 0, decreaseRule: 'v1' });
    for (const at of [0, 1, 2, 3]) expect(down(v1, at).applied).toBe(true);
    expect(down(v1, 10 * 3_600).refusal).toMatch(/4 of 4/);
    expect(down(v1, DAY).applied).toBe(true);
  });
});

describe('on-demand', () => {
  it('takes 4,000/s from the start; a jump to 3× the peak throttles the excess over 2× for 30 minutes', () => {
    const m = make({ mode: 'on-demand' });
    expect(run(m, 0, 3_600, 4_000).throttled).toBe(0);
    // Peak 4,000/s → headroom 8,000/s; 12,000/s wanted → 4,000/s throttled from t=3,600 until 3,600 + 1,800.
    const jump = run(m, 3_600, 5_400, 12_000);
    expect(jump).toEqual({ accepted: 1_800 * 8_000, throttled: 1_800 * 4_000 });
    // 8,000/s was served from t=3,600, so from t=5,400 the headroom is 16,000/s.
    expect(run(m, 5_400, 5_460, 12_000).throttled).toBe(0);
    m.advance(5_460);
    const u = m.usage();
    expect(u.writeRequestUnits).toBe(3_600 * 4_000 + 1_800 * 8_000 + 60 * 12_000);
    expect(u.writeCapacityUnitHours).toBe(0);
    expect(u.throttledRequests).toBe(1_800 * 4_000);
    // Headroom now: 2 × the peak as of 30 min ago (8,000/s at t=3,600); the 12,000/s peak of t=5,400 counts from 7,200.
    expect(m.tables()[0]!.writeCapacity).toBe(2 * 8_000);
    m.advance(5_400 + 1_800);
    expect(m.tables()[0]!.writeCapacity).toBe(2 * 12_000);
  });

  it('refuses capacity requests', () => {
    const m = make({ mode: 'on-demand' });
    expect(m.requestCapacity(0, 'events_2026_W02', 500).refusal).toMatch(/on-demand/);
  });
});
