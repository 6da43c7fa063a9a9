/**
 * DynamoDB as the pipeline uses it: one table per ISO week (or per UTC day) of event time, created ahead of its period,
 * written by the Lambda consumer. Models provisioned capacity with burst credits, on-demand's "2× previous peak" rule,
 * UpdateTable (UPDATING time, per-table/account maxima, the daily decrease quota), the table quota, and the usage that
 * billing needs. Pure: time comes in as `now` (seconds since run start); nothing here reads a clock or a random source.
 * Section numbers (§) refer to ../shared/aws-reference.md.
 */
import { z } from 'zod';
import { dynamoPartitionsSchema, TablePartitions, type PartitionGroup } from './dynamodb-partitions.ts';
import { duration } from './duration.ts';

const DAY = 86_400;
const WEEK = 7 * DAY;
/** 1970-01-05T00:00:00Z, the first Monday after the Unix epoch (a Thursday): origin of ISO-week periods. */
const FIRST_MONDAY = 4 * DAY;
const HOUR = 3600;

export const dynamoDbConfigSchema = z
  .strictObject({
    mode: z.enum(['provisioned', 'on-demand']).default('provisioned'),
    /** One table per ISO week (`events_2026_W02`) or per UTC day (`events_2026_01_05`) of event time. */
    tablePer: z.enum(['week', 'day']).default('week'),
    /** WCU of each new table. Minimum 1 (§3.1). 100 is this project's choice, not an AWS default. */
    writeCapacity: z.number().int().min(1).default(100),
    /** RCU of each new table; only billed, reads are not simulated. Minimum 1 (§3.1). */
    readCapacity: z.number().int().min(1).default(5),
    /** `none`, or a scaling-policy section; the named policy's own schema validates the rest later. */
    autoscaling: z.union([z.literal('none'), z.looseObject({ policy: z.string().min(1) })]).default('none'),
    /**
     * Read capacity's autoscaler, with the same (bundled) policies as `autoscaling`: they see the table's
     * ConsumedReadCapacityUnits and ReadThrottleEvents where they read the write metrics (issue 13 item 9).
     */
    readAutoscaling: z.union([z.literal('none'), z.looseObject({ policy: z.string().min(1) })]).default('none'),
    /** Per-table provisioned read maximum: 40,000 RCU by default (§3.4). */
    maxTableRcu: z.number().int().positive().default(40_000),
    /**
     * How long UpdateTable keeps a table UPDATING: "can take several minutes" (§3.5), UNCONFIRMED. 120 s = two
     * minutes, the low end of "several", so a policy is not penalised more than the documentation implies.
     */
    updateSeconds: duration().default(120),
    /** Tables per region: 2,500 (docs by 2022); 256 before (§3.4). */
    tableQuota: z.number().int().positive().default(2_500),
    /** Tables the account already has; they count against `tableQuota`. */
    existingTables: z.number().int().nonnegative().default(0),
    /** How long before its period starts a table is created (the pipeline's choice). */
    createAhead: duration().default(DAY),
    /** Wall-clock time of simulated t=0, which places the week/day boundaries. Default: a Monday, 00:00 UTC. */
    startTime: z.iso.datetime({ offset: true }).default('2026-01-05T00:00:00Z'),
    /** Per-table provisioned maximum: 40,000 WCU (and 40,000 WRU on demand) by default (§3.4). */
    maxTableWcu: z.number().int().positive().default(40_000),
    /** Per-account provisioned maximum: 80,000 WCU summed over tables (§3.4). */
    accountWcu: z.number().int().positive().default(80_000),
    /** Burst capacity keeps up to 300 s of unused capacity (§3.2). Best effort in AWS; modelled as always there. */
    burstSeconds: duration().default(300),
    /**
     * Daily decrease quota (§3.4, §8.1), by documentation era. v4 (today, the default): each UTC day starts with 4
     * decreases available and one more becomes available at each hour of the day, never more than 4 at a time
     * (27 a day) — the current Service Quotas page as issue 13 reads it; aws-reference.md does not have this wording
     * (UNCONFIRMED). v3 (docs 2018-04 to ~2023): 4 any time, then 1 more per hour without a decrease, max 27;
     * v2 (docs 2017-12): 4, then 1 per 4 hours without a decrease, max 9; v1 (≤2017): 4 per day.
     */
    decreaseRule: z.enum(['v4', 'v3', 'v2', 'v1']).default('v4'),
    /** A new on-demand table sustains 4,000 writes/s (§3.6). */
    onDemandInitialWrites: z.number().positive().default(4_000),
    /** On-demand may throttle beyond 2× the previous peak "within 30 minutes" (§3.6). */
    onDemandWindow: duration().default(1_800),
    /** Partitions, hot keys and adaptive capacity (§3.2; sim/dynamodb-partitions.ts). */
    partitions: dynamoPartitionsSchema.prefault({}),
  })
  .refine((c) => c.existingTables < c.tableQuota, {
    message: 'expected `existingTables` below `tableQuota`: no table could be created for the first period',
    path: ['existingTables'],
  })
  .refine((c) => c.writeCapacity <= c.maxTableWcu, {
    message: 'expected `writeCapacity` at most `maxTableWcu` (CreateTable would be refused)',
    path: ['writeCapacity'],
  });

export type DynamoDbConfig = z.output<typeof dynamoDbConfigSchema>;

/** What the simulator, CloudWatch model and reports may read about one table. */
export interface TableView {
  readonly name: string;
  /** Seconds since run start at which the table's period begins; negative for the first period if t=0 is mid-period. */
  readonly periodStart: number;
  readonly createdAt: number;
  /** Provisioned WCU; for on-demand tables, the write rate it can take right now (max(4,000, 2× peak 30 min ago)). */
  readonly writeCapacity: number;
  /** Provisioned RCU; 0 for on-demand tables (reads are not modelled). */
  readonly readCapacity: number;
  readonly updating: boolean;
  readonly pendingWriteCapacity?: number;
  /** Unused capacity banked for bursts, in WCU (capacity-seconds), at most burstSeconds × WCU. 0 on demand. */
  readonly burstCredits: number;
}

/** The result of `write`. The model reuses ONE object for every call: read it before the next `write`. */
export interface WriteResult {
  readonly acceptedItems: number;
  /** Items refused for lack of capacity (ProvisionedThroughputExceeded / throttling). Not consumed. */
  readonly throttledItems: number;
  readonly table?: string;
  /** No table for this period (quota refusal): all `items` fail with ResourceNotFound; none count as throttled. */
  readonly missingTable: boolean;
}

/** Per-table CloudWatch inputs accumulated since the previous `drainCounters()`. */
export interface TableCounters {
  readonly table: string;
  readonly consumedWcu: number;
  readonly throttledRequests: number;
}

export interface CapacityResult {
  readonly applied: boolean;
  readonly refusal?: string;
}

export interface DynamoDbUsage {
  /** Provisioned WCU × hours over every table that exists (old periods' tables keep costing). */
  readonly writeCapacityUnitHours: number;
  readonly readCapacityUnitHours: number;
  /** On-demand write request units consumed (0 for provisioned tables). */
  readonly writeRequestUnits: number;
  /** On-demand read request units served (the query server's reads, `read`). */
  readonly readRequestUnits: number;
  /** Read units served and refused, both modes. */
  readonly readUnitsServed: number;
  readonly readUnitsThrottled: number;
  /** Tables created during the run (all still exist: the model never deletes). */
  readonly tables: number;
  readonly throttledRequests: number;
  /** Highest write capacity any one table had (provisioned WCU, or the on-demand ceiling). */
  readonly writeCapacityMax: number;
  /** Of `throttledRequests`, items refused by a hot key (> 1,000 WCU/s) or a partition's capacity (§3.2). */
  readonly partitionThrottledRequests: number;
  /** Most partitions any one table had. */
  readonly partitionsMax: number;
  /** WCU (or WRU) consumed by accepted writes, both modes. */
  readonly consumedWriteUnits: number;
}

/** A CreateTable the model refused (table quota or account WCU). */
export interface TableRefusal {
  readonly at: number;
  readonly table: string;
  readonly message: string;
}

export interface DynamoDbModelOptions {
  /** Overrides `startTime` as Unix seconds (tests; the gateway's wall clock). */
  readonly startEpochSeconds?: number;
  /**
   * The tenant groups whose writes the tables take, to place their partition keys (`partitions`). Without them the
   * tables are throttled as a whole (keys and partitions not modelled).
   */
  readonly groups?: readonly PartitionGroup[];
}

/** `events_YYYY_Www` (ISO week-year and week of the Monday at `epochSeconds`) or `events_YYYY_MM_DD` (UTC day). */
export function periodTableName(epochSeconds: number, tablePer: 'week' | 'day'): string {
  const date = new Date(epochSeconds * 1000);
  if (tablePer === 'day') {
    return `events_${date.getUTCFullYear()}_${pad(date.getUTCMonth() + 1)}_${pad(date.getUTCDate())}`;
  }
  // ISO 8601: the week belongs to the year of its Thursday, and week 1 holds the year's first Thursday.
  const mondayDay = Math.floor(epochSeconds / DAY) - ((Math.floor(epochSeconds / DAY) + 3) % 7);
  const thursday = new Date((mondayDay + 3) * DAY * 1000);
  const year = thursday.getUTCFullYear();
  const dayOfYear = (mondayDay + 3) - Date.UTC(year, 0, 1) / 1000 / DAY;
  return `events_${year}_W${pad(Math.floor(dayOfYear / 7) + 1)}`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

class Table implements TableView {
  // TableView
  readonly name: string;
  readonly periodStart: number;
  readonly createdAt: number;
  writeCapacity: number;
  readCapacity: number;
  updating = false;
  pendingWriteCapacity: number | undefined = undefined;
  pendingReadCapacity: number | undefined = undefined;
  burstCredits = 0;

  readonly onDemand: boolean;
  /** Partitions and keys, when the model knows the tenant groups (§3.2). */
  partitions: TablePartitions | undefined = undefined;
  updateDoneAt = Infinity;
  /** Credits are settled up to here; the open tick [tickAt, tickEnd) is settled when it ends. */
  creditClock: number;
  tickOpen = false;
  tickAt = 0;
  tickEnd = 0;
  tickDt = 1;
  tickBase = 0;
  tickUsed = 0;
  // Decrease quota (§3.4): counted per UTC day.
  decreaseDay = -1;
  decreaseCount = 0;
  lastDecreaseAt = -Infinity;
  /** v4: decreases available now, and the hour (since the epoch) they were counted at. */
  decreaseTokens = 0;
  decreaseTokensHour = 0;
  // CloudWatch counters since the last drain.
  consumedSinceDrain = 0;
  throttledSinceDrain = 0;
  readonly drained: { table: string; consumedWcu: number; throttledRequests: number };
  // On-demand: running peak of served write rate, as (time, peak) steps, so "the peak as of 30 min ago" is a lookup.
  peakTimes = new Float64Array(0);
  peakValues = new Float64Array(0);
  peakHead = 0;
  peakLength = 0;
  peakLatest = 0;
  peakActive = 0;

  constructor(name: string, periodStart: number, createdAt: number, wcu: number, rcu: number, onDemand: boolean) {
    this.name = name;
    this.periodStart = periodStart;
    this.createdAt = createdAt;
    this.writeCapacity = wcu;
    this.readCapacity = rcu;
    this.onDemand = onDemand;
    this.creditClock = createdAt;
    this.drained = { table: name, consumedWcu: 0, throttledRequests: 0 };
    if (onDemand) {
      this.peakTimes = new Float64Array(64);
      this.peakValues = new Float64Array(64);
    }
  }
}

/**
 * The DynamoDB side of one run. Call `advance(now)` once per tick before `write`, and `advance(end)` at the end so
 * the last interval is billed. `now` must not decrease from call to call (advance, write, requestCapacity).
 * Per-tick calls allocate nothing (the write result and drained counters are reused).
 */
export class DynamoDbModel {
  readonly config: DynamoDbConfig;
  private readonly startEpoch: number;
  private readonly periodLength: number;
  private readonly periodOrigin: number;
  private readonly list: Table[] = [];
  private readonly byPeriod = new Map<number, Table | null>();
  private readonly refusalList: TableRefusal[] = [];
  private readonly drainList: { table: string; consumedWcu: number; throttledRequests: number }[] = [];
  private readonly result = { acceptedItems: 0, throttledItems: 0, table: undefined as string | undefined, missingTable: false };
  private nextPeriod: number;
  private lastAdvance = 0;
  // Cached period lookup for `write`.
  private cacheStart = Infinity;
  private cacheEnd = -Infinity;
  private cacheTable: Table | undefined = undefined;
  // Usage accumulators, in unit-seconds.
  private wcuSeconds = 0;
  private rcuSeconds = 0;
  private wru = 0;
  private consumedTotal = 0;
  private throttledTotal = 0;
  private partitionThrottledTotal = 0;
  private rru = 0;
  private readServed = 0;
  private readThrottled = 0;
  private capacityMax = 0;
  private readonly groups: readonly PartitionGroup[] | undefined;
  private groupWcu = new Float64Array(0);
  /** Per group, write units throttled by the last write: the writer retries them next (keys and partitions only). */
  private carry = new Float64Array(0);

  constructor(config: DynamoDbConfig, opts: DynamoDbModelOptions = {}) {
    this.config = config;
    this.groups = config.partitions.key === 'none' ? undefined : opts.groups;
    this.groupWcu = new Float64Array(this.groups?.length ?? 0);
    this.carry = new Float64Array(this.groups?.length ?? 0);
    this.startEpoch = opts.startEpochSeconds ?? Date.parse(config.startTime) / 1000;
    if (!Number.isFinite(this.startEpoch)) throw new RangeError(`startTime "${config.startTime}" is not a date`);
    this.periodLength = config.tablePer === 'week' ? WEEK : DAY;
    this.periodOrigin = config.tablePer === 'week' ? FIRST_MONDAY : 0;
    const first = this.periodOf(0);
    // The table for the starting period exists at t=0, whatever createAhead says.
    this.createTable(first, 0);
    this.nextPeriod = first + 1;
    this.createDue(0);
  }

  /** Moves the model to `now`: bills capacity, settles burst credits, completes updates, creates tables ahead. */
  advance(now: number): void {
    if (now < this.lastAdvance) return;
    const from = this.lastAdvance;
    this.createDue(now);
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const t = list[i]!;
      const start = from > t.createdAt ? from : t.createdAt;
      if (t.updating && t.updateDoneAt <= now) {
        const done = t.updateDoneAt > start ? t.updateDoneAt : start;
        if (done > start) this.bill(t, done - start);
        this.settle(t, done);
        this.completeUpdate(t);
        if (now > done) this.bill(t, now - done);
      } else if (now > start) {
        this.bill(t, now - start);
      }
      this.settle(t, now);
      if (t.onDemand) this.onDemandCapacity(t, now);
    }
    this.lastAdvance = now;
  }

  /**
   * One tick's writes, [now, now+dt), of `items` items costing `wcuPerItem` each, all to the table of the period
   * containing `now`. Items are fractional (aggregated flows). Throttled items consume nothing. With the tenant
   * groups known (`groups` option), `groupShares[g]` is group g's share of the items and `bytesPerItem` their size:
   * keys and partitions are applied first (§3.2).
   */
  write(now: number, dt: number, items: number, wcuPerItem: number, groupShares?: ArrayLike<number>, bytesPerItem = 0): WriteResult {
    if (now > this.lastAdvance) this.advance(now);
    const r = this.result;
    const t = now >= this.cacheStart && now < this.cacheEnd ? this.cacheTable : this.lookup(now);
    if (t === undefined) {
      r.acceptedItems = 0;
      r.throttledItems = 0;
      r.table = undefined;
      r.missingTable = true;
      return r;
    }
    r.table = t.name;
    r.missingTable = false;
    this.settle(t, now);
    this.openTick(t, now, dt);
    let want = items * wcuPerItem;
    if (!(want > 0)) {
      r.acceptedItems = items > 0 ? items : 0;
      r.throttledItems = 0;
      return r;
    }
    const offered = want;
    let groupThrottled: Float64Array | undefined;
    if (t.partitions && groupShares) {
      // The writer retries what was throttled: last tick's refusals keep their tenant group; the rest follows the mix.
      const gw = this.groupWcu;
      const carry = this.carry;
      let carried = 0;
      for (let g = 0; g < carry.length; g++) carried += carry[g]!;
      const scale = carried > want ? want / carried : 1;
      const rest = want - carried * scale;
      for (let g = 0; g < gw.length; g++) gw[g] = carry[g]! * scale + rest * (groupShares[g] ?? 0);
      const admit = t.partitions.admit(now, dt, gw, t.writeCapacity);
      want = admit.admittedWcu;
      groupThrottled = admit.groupThrottledWcu;
    }
    let consumed: number;
    if (t.onDemand) {
      const room = t.tickBase - t.tickUsed;
      consumed = want < room ? want : room > 0 ? room : 0;
      t.tickUsed += consumed;
      this.recordPeak(t, now, t.tickUsed / t.tickDt);
      this.wru += consumed;
    } else {
      // Base capacity first, then burst credits (§3.2); keys and partitions have had their say above (burst
      // capacity "can't fix partition-level throttling").
      const room = t.tickBase - t.tickUsed;
      const fromBase = want < room ? want : room > 0 ? room : 0;
      t.tickUsed += fromBase;
      const rest = want - fromBase;
      const fromCredits = rest < t.burstCredits ? rest : t.burstCredits;
      t.burstCredits -= fromCredits;
      consumed = fromBase + fromCredits;
    }
    const accepted = consumed >= offered - 1e-9 ? items : consumed / wcuPerItem;
    const throttled = items - accepted;
    if (want < offered) this.partitionThrottledTotal += (offered - want) / wcuPerItem;
    if (groupThrottled) {
      // Refusals by the table's own capacity fall on every group alike.
      const tableLost = want > 0 ? 1 - Math.min(1, consumed / want) : 0;
      for (let g = 0; g < this.carry.length; g++) {
        const through = this.groupWcu[g]! - groupThrottled[g]!;
        this.carry[g] = groupThrottled[g]! + through * tableLost;
      }
    }
    if (t.partitions && bytesPerItem > 0) t.partitions.addStored(accepted * bytesPerItem);
    t.consumedSinceDrain += consumed;
    t.throttledSinceDrain += throttled;
    this.consumedTotal += consumed;
    this.throttledTotal += throttled;
    r.acceptedItems = accepted;
    r.throttledItems = throttled;
    return r;
  }

  /**
   * Write units the table of `now`'s period can still serve in the tick [now, now+dt): the tick's capacity left, then
   * burst credits. The quota gateway admits indivisible items with it, so a refused item consumes nothing.
   */
  writableUnits(now: number, dt: number): number {
    if (now > this.lastAdvance) this.advance(now);
    const t = now >= this.cacheStart && now < this.cacheEnd ? this.cacheTable : this.lookup(now);
    if (t === undefined) return 0;
    this.settle(t, now);
    this.openTick(t, now, dt);
    const room = t.tickBase - t.tickUsed > 0 ? t.tickBase - t.tickUsed : 0;
    return t.onDemand ? room : room + t.burstCredits;
  }

  /**
   * UpdateTable for write capacity. Increases are unlimited in number; decreases follow `decreaseRule`. The new
   * capacity takes effect `updateSeconds` later (the table is UPDATING meanwhile and refuses further updates).
   */
  requestCapacity(now: number, table: string, wcu: number): CapacityResult {
    if (now > this.lastAdvance) this.advance(now);
    const c = this.config;
    const t = this.find(table);
    if (t === undefined) return refuse(`ResourceNotFoundException: table ${table} does not exist`);
    if (t.onDemand) return refuse(`ValidationException: ${table} is on-demand (PAY_PER_REQUEST); it has no provisioned capacity to set`);
    if (t.updating) return refuse(`ResourceInUseException: ${table} is UPDATING until t=${t.updateDoneAt}s`);
    if (!Number.isInteger(wcu) || wcu < 1) return refuse(`ValidationException: WriteCapacityUnits must be an integer ≥ 1, got ${wcu}`);
    if (wcu > c.maxTableWcu) return refuse(`LimitExceededException: ${wcu} WCU is above the per-table maximum of ${c.maxTableWcu}`);
    if (wcu === t.writeCapacity) return refuse(`ValidationException: ${table} already has ${wcu} WCU; the provisioned throughput would not change`);
    let others = 0;
    for (const o of this.list) if (o !== t) others += committedWcu(o);
    if (others + wcu > c.accountWcu) {
      return refuse(`LimitExceededException: ${others} WCU on other tables + ${wcu} exceeds the account maximum of ${c.accountWcu}`);
    }
    return this.beginUpdate(t, now, wcu < t.writeCapacity, () => (t.pendingWriteCapacity = wcu));
  }

  /**
   * UpdateTable for read capacity (read autoscaling, issue 13 item 9): the same UPDATING period and daily decrease
   * quota as write updates (a table counts decreases of either), at most `maxTableRcu` (40,000 by default, §3.4).
   * The account's 80,000 RCU is not checked.
   */
  requestReadCapacity(now: number, table: string, rcu: number): CapacityResult {
    if (now > this.lastAdvance) this.advance(now);
    const c = this.config;
    const t = this.find(table);
    if (t === undefined) return refuse(`ResourceNotFoundException: table ${table} does not exist`);
    if (t.onDemand) return refuse(`ValidationException: ${table} is on-demand (PAY_PER_REQUEST); it has no provisioned capacity to set`);
    if (t.updating) return refuse(`ResourceInUseException: ${table} is UPDATING until t=${t.updateDoneAt}s`);
    if (!Number.isInteger(rcu) || rcu < 1) return refuse(`ValidationException: ReadCapacityUnits must be an integer ≥ 1, got ${rcu}`);
    if (rcu > c.maxTableRcu) return refuse(`LimitExceededException: ${rcu} RCU is above the per-table maximum of ${c.maxTableRcu}`);
    if (rcu === t.readCapacity) return refuse(`ValidationException: ${table} already has ${rcu} RCU; the provisioned throughput would not change`);
    return this.beginUpdate(t, now, rcu < t.readCapacity, () => (t.pendingReadCapacity = rcu));
  }

  /**
   * One tick's reads (the query server, issue 13 item 9): `readUnits` RCU (or RRU) on the table of `now`'s period, of
   * which one tenant key asks at most `perKeyMax` per second. Provisioned: the table's RCU per second (burst credits
   * for reads are not modelled); on demand: 12,000 reads/s, a new table's level (§3.6; the 2×-peak ramp for reads is
   * not modelled); one key at most 3,000 RCU/s, a partition's limit (§3.2). Returns the units served.
   */
  read(now: number, dt: number, readUnits: number, perKeyMax = 0): { served: number; throttled: number } {
    if (now > this.lastAdvance) this.advance(now);
    const t = now >= this.cacheStart && now < this.cacheEnd ? this.cacheTable : this.lookup(now);
    if (t === undefined || !(readUnits > 0)) return { served: 0, throttled: readUnits > 0 ? readUnits : 0 };
    const rate = t.onDemand ? ON_DEMAND_READS : t.readCapacity;
    let served = Math.min(readUnits, rate * dt);
    // A key over a partition's 3,000 RCU/s loses its excess whatever the table has.
    if (perKeyMax > PARTITION_RCU) served = Math.min(served, readUnits * (PARTITION_RCU / perKeyMax));
    const throttled = readUnits - served;
    if (t.onDemand) this.rru += served;
    this.readServed += served;
    this.readThrottled += throttled;
    return { served, throttled };
  }

  /** Every table that exists, oldest first. Live objects: read, don't keep. */
  tables(): readonly TableView[] {
    return this.list;
  }

  /** Name of the table for the period containing `now`, or undefined (not created: quota, or not yet reached). */
  current(now: number): string | undefined {
    return this.lookup(now)?.name;
  }

  /** CreateTable refusals so far, in order. */
  refusals(): readonly TableRefusal[] {
    return this.refusalList;
  }

  /**
   * Per-table consumed WCU and throttled requests since the previous call, then zeroes them. The returned array
   * and its objects are reused by the next call.
   */
  drainCounters(): readonly TableCounters[] {
    const out = this.drainList;
    for (let i = 0; i < this.list.length; i++) {
      const t = this.list[i]!;
      const d = t.drained;
      d.consumedWcu = t.consumedSinceDrain;
      d.throttledRequests = t.throttledSinceDrain;
      t.consumedSinceDrain = 0;
      t.throttledSinceDrain = 0;
      out[i] = d;
    }
    return out;
  }

  /** Decreases `table` has made in the UTC day containing `now` (the quota of §3.4 counts these). */
  decreasesToday(now: number, table: string): number {
    const t = this.find(table);
    if (t === undefined) return 0;
    return t.decreaseDay === this.utcDay(now) ? t.decreaseCount : 0;
  }

  usage(): DynamoDbUsage {
    return {
      writeCapacityUnitHours: this.wcuSeconds / HOUR,
      readCapacityUnitHours: this.rcuSeconds / HOUR,
      writeRequestUnits: this.wru,
      readRequestUnits: this.rru,
      readUnitsServed: this.readServed,
      readUnitsThrottled: this.readThrottled,
      tables: this.list.length,
      throttledRequests: this.throttledTotal,
      writeCapacityMax: this.capacityMax,
      partitionThrottledRequests: this.partitionThrottledTotal,
      partitionsMax: this.list.reduce((m, t) => Math.max(m, t.partitions?.count ?? 1), 0),
      consumedWriteUnits: this.consumedTotal,
    };
  }

  // ---- internals ----

  private periodOf(now: number): number {
    return Math.floor((this.startEpoch + now - this.periodOrigin) / this.periodLength);
  }

  private periodStartRel(period: number): number {
    return this.periodOrigin + period * this.periodLength - this.startEpoch;
  }

  private utcDay(now: number): number {
    return Math.floor((this.startEpoch + now) / DAY);
  }

  private lookup(now: number): Table | undefined {
    const p = this.periodOf(now);
    const t = this.byPeriod.get(p) ?? undefined;
    this.cacheStart = this.periodStartRel(p);
    this.cacheEnd = this.cacheStart + this.periodLength;
    this.cacheTable = t;
    // Not created yet (createAhead 0 and advance not called): don't cache a miss that advance would fill.
    if (t === undefined && !this.byPeriod.has(p)) this.cacheEnd = -Infinity;
    return t;
  }

  /**
   * What UpdateTable does once a request is valid, for reads and writes alike: a decrease spends the day's quota (the
   * table counts decreases of either), then the table is UPDATING for `updateSeconds` with the new capacity pending.
   */
  private beginUpdate(t: Table, now: number, decrease: boolean, setPending: () => void): CapacityResult {
    const c = this.config;
    if (decrease) {
      const why = this.decreaseRefusal(t, now);
      if (why !== undefined) return refuse(`LimitExceededException: ${t.name}: ${why}`);
      this.rollDay(t, now);
      t.decreaseCount++;
      t.lastDecreaseAt = now;
      if (c.decreaseRule === 'v4') t.decreaseTokens--;
    }
    t.updating = true;
    setPending();
    t.updateDoneAt = now + c.updateSeconds;
    if (c.updateSeconds === 0) {
      this.settle(t, now);
      this.completeUpdate(t);
    }
    return APPLIED;
  }

  private find(name: string): Table | undefined {
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i]!.name === name) return this.list[i];
    return undefined;
  }

  private createDue(now: number): void {
    for (;;) {
      const at = this.periodStartRel(this.nextPeriod) - this.config.createAhead;
      if (at > now) return;
      this.createTable(this.nextPeriod, at > 0 ? at : 0);
      this.nextPeriod++;
    }
  }

  /** CreateTable. Tables are never deleted: every past period's table keeps its provisioned cost. */
  private createTable(period: number, at: number): void {
    const c = this.config;
    const name = periodTableName(this.periodOrigin + period * this.periodLength, c.tablePer);
    const onDemand = c.mode === 'on-demand';
    let message: string | undefined;
    if (c.existingTables + this.list.length >= c.tableQuota) {
      message = `LimitExceededException: table quota ${c.tableQuota} reached`;
    } else if (!onDemand) {
      let sum = 0;
      for (const o of this.list) sum += committedWcu(o);
      if (sum + c.writeCapacity > c.accountWcu) {
        message = `LimitExceededException: ${sum} WCU + ${c.writeCapacity} for the new table exceeds the account maximum of ${c.accountWcu}`;
      }
    }
    if (message !== undefined) {
      // Refused once per period; the pipeline does not retry, so that period has no table.
      this.refusalList.push({ at, table: name, message });
      this.byPeriod.set(period, null);
      this.cacheEnd = -Infinity;
      return;
    }
    const wcu = onDemand ? Math.min(c.onDemandInitialWrites, c.maxTableWcu) : c.writeCapacity;
    const t = new Table(name, this.periodStartRel(period), at, wcu, onDemand ? 0 : c.readCapacity, onDemand);
    if (this.groups) t.partitions = new TablePartitions(c.partitions, this.groups, wcu);
    this.list.push(t);
    this.byPeriod.set(period, t);
    this.cacheEnd = -Infinity;
    if (wcu > this.capacityMax) this.capacityMax = wcu;
  }

  private bill(t: Table, seconds: number): void {
    if (t.onDemand) return;
    this.wcuSeconds += t.writeCapacity * seconds;
    this.rcuSeconds += t.readCapacity * seconds;
  }

  private completeUpdate(t: Table): void {
    t.writeCapacity = t.pendingWriteCapacity ?? t.writeCapacity;
    t.pendingWriteCapacity = undefined;
    t.readCapacity = t.pendingReadCapacity ?? t.readCapacity;
    t.pendingReadCapacity = undefined;
    t.updating = false;
    t.updateDoneAt = Infinity;
    const cap = this.config.burstSeconds * t.writeCapacity;
    if (t.burstCredits > cap) t.burstCredits = cap;
    if (t.writeCapacity > this.capacityMax) this.capacityMax = t.writeCapacity;
  }

  /** Banks unused capacity up to `now`: what the last tick left over, then idle seconds at full capacity (§3.2). */
  private settle(t: Table, now: number): void {
    if (t.onDemand) return;
    const cap = this.config.burstSeconds * t.writeCapacity;
    if (t.tickOpen) {
      if (t.tickEnd > now) return;
      t.burstCredits += t.tickBase - t.tickUsed;
      t.creditClock = t.tickEnd;
      t.tickOpen = false;
    }
    if (now > t.creditClock) {
      t.burstCredits += t.writeCapacity * (now - t.creditClock);
      t.creditClock = now;
    }
    if (t.burstCredits > cap) t.burstCredits = cap;
  }

  private openTick(t: Table, now: number, dt: number): void {
    if (t.tickOpen && now < t.tickEnd) return; // a second write in the same tick shares its capacity
    const rate = t.onDemand ? this.onDemandCapacity(t, now) : t.writeCapacity;
    t.tickOpen = true;
    t.tickAt = now;
    t.tickEnd = now + dt;
    t.tickDt = dt;
    t.tickBase = rate * dt;
    t.tickUsed = 0;
  }

  /**
   * On-demand headroom (§3.6): instantly up to 2× the previous peak, and more only over ~30 minutes. Approximation:
   * capacity = max(4,000/s, 2 × the highest served write rate seen up to `onDemandWindow` ago), capped at the
   * per-table 40,000 WRU. So a jump to 3× the prior peak is served at 2× and the excess throttles until the window has
   * passed since the 2× level was first served, when the headroom doubles again. AWS's real ramp is smoother and
   * undocumented; warm throughput and the optional max-throughput setting are not modelled.
   */
  private onDemandCapacity(t: Table, now: number): number {
    const horizon = now - this.config.onDemandWindow;
    while (t.peakLength > 0) {
      const i = t.peakHead;
      if (t.peakTimes[i]! > horizon) break;
      t.peakActive = t.peakValues[i]!;
      t.peakHead = (i + 1) % t.peakTimes.length;
      t.peakLength--;
    }
    const c = this.config;
    const twice = 2 * t.peakActive;
    let cap = twice > c.onDemandInitialWrites ? twice : c.onDemandInitialWrites;
    if (cap > c.maxTableWcu) cap = c.maxTableWcu;
    t.writeCapacity = cap;
    if (cap > this.capacityMax) this.capacityMax = cap;
    return cap;
  }

  private recordPeak(t: Table, now: number, rate: number): void {
    if (rate <= t.peakLatest) return;
    t.peakLatest = rate;
    const size = t.peakTimes.length;
    if (t.peakLength > 0) {
      const last = (t.peakHead + t.peakLength - 1) % size;
      if (t.peakTimes[last] === now) {
        t.peakValues[last] = rate;
        return;
      }
    }
    if (t.peakLength === size) {
      // Grow (rare: only while the peak keeps rising within one window).
      const times = new Float64Array(size * 2);
      const values = new Float64Array(size * 2);
      for (let k = 0; k < size; k++) {
        times[k] = t.peakTimes[(t.peakHead + k) % size]!;
        values[k] = t.peakValues[(t.peakHead + k) % size]!;
      }
      t.peakTimes = times;
      t.peakValues = values;
      t.peakHead = 0;
    }
    const at = (t.peakHead + t.peakLength) % t.peakTimes.length;
    t.peakTimes[at] = now;
    t.peakValues[at] = rate;
    t.peakLength++;
  }

  private rollDay(t: Table, now: number): void {
    const day = this.utcDay(now);
    if (t.decreaseDay !== day) {
      t.decreaseDay = day;
      t.decreaseCount = 0;
      t.decreaseTokens = 4;
      t.decreaseTokensHour = day * 24;
    }
    // v4: one more decrease available at each hour of the day, never more than 4 at a time.
    const hour = Math.floor((this.startEpoch + now) / HOUR);
    t.decreaseTokens = Math.min(4, t.decreaseTokens + (hour - t.decreaseTokensHour));
    t.decreaseTokensHour = hour;
  }

  /** Why a decrease now would break the daily quota (§3.4), or undefined if it is allowed. */
  private decreaseRefusal(t: Table, now: number): string | undefined {
    const rule = this.config.decreaseRule;
    if (rule === 'v4') {
      this.rollDay(t, now);
      if (t.decreaseTokens >= 1) return undefined;
      return (
        `decrease quota: none available now (${t.decreaseCount} decreases today; 4 at the start of the UTC day, ` +
        `one more each hour, at most 4 at a time; rule v4)`
      );
    }
    const used = t.decreaseDay === this.utcDay(now) ? t.decreaseCount : 0;
    const { max, quiet } = DECREASE_RULES[rule];
    if (used >= max) return `decrease quota used: ${used} of ${max} decreases today (UTC, rule ${rule})`;
    if (used < 4) return undefined;
    const since = now - t.lastDecreaseAt;
    if (since >= quiet) return undefined;
    return (
      `decrease quota: ${used} decreases today, and after the first 4 one more needs ${quiet / HOUR} h without a decrease ` +
      `(last one ${Math.round(since)} s ago; rule ${rule})`
    );
  }
}

/** The first four decreases of a UTC day are free; after that one more per `quiet` seconds without a decrease (§3.4). */
const DECREASE_RULES = {
  v4: { max: 27, quiet: HOUR },
  v3: { max: 27, quiet: HOUR },
  v2: { max: 9, quiet: 4 * HOUR },
  v1: { max: 4, quiet: Infinity },
} as const;

/** WCU a table holds against the account maximum: while UPDATING, the larger of the old and new values. */
function committedWcu(t: Table): number {
  if (t.onDemand) return 0;
  const pending = t.pendingWriteCapacity ?? 0;
  return pending > t.writeCapacity ? pending : t.writeCapacity;
}

const APPLIED: CapacityResult = { applied: true };

/** A new on-demand table serves 12,000 reads/s (§3.6); a partition at most 3,000 RCU/s (§3.2). */
const ON_DEMAND_READS = 12_000;
const PARTITION_RCU = 3_000;

function refuse(refusal: string): CapacityResult {
  return { applied: false, refusal };
}
