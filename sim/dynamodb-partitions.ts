/**
 * DynamoDB partitions (§3.2; issue 13 item 8): a table's throughput is spread over partitions, each at most 1,000 WCU
 * (and 3,000 RCU; reads are not modelled here), a table has at least one partition per 1,000 WCU provisioned and per
 * 10 GB stored, and one partition key value can never write faster than one partition. Adaptive capacity lets a hot
 * partition use the table's unused capacity up to that 1,000 WCU (instantly since 2019; 5–30 minutes in the 2018
 * docs). A partition that stays above 1,000 WCU of demand — several hot keys on it — is split in two for heat after a
 * while (UNCONFIRMED). Partitions are never merged: after a scale-down each gets a thinner share.
 *
 * Aggregated per tenant group, never per item: each group's keys (tenants, or tenant × write shards, or the current
 * time bucket of each tenant) are placed by MD5 on the partitions' hash ranges once per layout; per tick the work is
 * groups × partitions. Pure: time comes in as `now`.
 */
import { z } from 'zod';
import { duration } from './duration.ts';
import { keyHashPosition, keyWeights } from './key-hash.ts';

/** Per-partition limits (§3.2): 3,000 RCU, 1,000 WCU, 10 GB (taken as 10⁹ bytes × 10). */
export const PARTITION_LIMITS = { wcu: 1_000, rcu: 3_000, bytes: 10e9 } as const;

/** The `dynamodb.partitions:` section. */
export const dynamoPartitionsSchema = z.strictObject({
  /**
   * The table's partition key. `tenant`: the seed's tables (tenant, with event time as the sort key): every write of a
   * tenant goes to one key. `tenant-time-bucket`: tenant + a `timeBucket` of event time; the current bucket still takes
   * all of a tenant's writes. `tenant-shard`: tenant + one of `writeShards` suffixes (write sharding). `none`: keys are
   * not modelled (the table is throttled as a whole, as before issue 13).
   */
  key: z.enum(['tenant', 'tenant-time-bucket', 'tenant-shard', 'none']).default('tenant'),
  timeBucket: duration().default(3_600),
  writeShards: z.number().int().min(1).max(1_000).default(10),
  /** Adaptive capacity (§3.2): `instant` since 2019-05/07, `off` to see partitions at their bare share. */
  adaptiveCapacity: z.enum(['instant', 'off']).default('instant'),
  /** Delay before a hot partition is boosted: 0 today; the 2018-04 docs said 5–30 minutes (§3.2). */
  adaptiveDelay: duration().default(0),
  /**
   * How long a partition must stay above 1,000 WCU of demand before it is split for heat. AWS documents that hot
   * items can be isolated, not how fast (§3.2): UNCONFIRMED, 10 minutes.
   */
  heatSplitDelay: duration().default(600),
});
export type DynamoPartitionsConfig = z.output<typeof dynamoPartitionsSchema>;

/** A tenant group as the partitions see it: its name places its keys, `count` tenants share its writes evenly. */
export interface PartitionGroup {
  readonly name: string;
  readonly count: number;
}

export interface PartitionAdmit {
  /** Write units the partitions let through this tick (the table's own capacity and burst apply after). */
  admittedWcu: number;
  /** Write units refused because one key passed 1,000 WCU/s. */
  keyThrottledWcu: number;
  /** Write units refused because a partition passed its capacity (share or 1,000 WCU/s with adaptive capacity). */
  partitionThrottledWcu: number;
  /** Per group, the write units refused (by its keys or their partitions): what the writer will retry. */
  readonly groupThrottledWcu: Float64Array;
}

/** Partitions of one table. */
export class TablePartitions {
  private bounds: Float64Array = Float64Array.from([0, 1]);
  /** Per group × partition: the share of the group's writes that lands there. */
  private weights = new Float64Array(0);
  private readonly keysPerGroup: number[];
  /** Per group, its keys' hash positions, sorted. */
  private positions: Float64Array[] = [];
  /** Per group, this tick's write units per key after the key cap (to find a partition's hottest key). */
  private readonly perKey: Float64Array;
  private bucket = -1;
  private demand = new Float64Array(1);
  private overSince = new Float64Array(1).fill(Infinity);
  private boostSince = new Float64Array(1).fill(Infinity);
  storedBytes = 0;
  splitsForHeat = 0;
  private readonly result: PartitionAdmit;
  /** Per group, this tick's write units after the key cap. */
  private readonly through: Float64Array;
  /** Per group, the largest share of its writes any one partition takes (for the fast path). */
  private maxWeight = new Float64Array(0);
  /** Whether any boost or heat timer may be running. */
  private timersSet = false;
  /** Per group, its keys' hash positions (sorted), for the time bucket `hashedBucket`. */
  private hashed: Float64Array[] = [];
  private hashedBucket = -2;

  constructor(
    private readonly config: DynamoPartitionsConfig,
    private readonly groups: readonly PartitionGroup[],
    initialWcu: number,
  ) {
    this.keysPerGroup = groups.map((g) => g.count * (config.key === 'tenant-shard' ? config.writeShards : 1));
    this.perKey = new Float64Array(groups.length);
    this.through = new Float64Array(groups.length);
    this.result = { admittedWcu: 0, keyThrottledWcu: 0, partitionThrottledWcu: 0, groupThrottledWcu: new Float64Array(groups.length) };
    this.grow(initialWcu, 0);
    this.place(0);
  }

  get count(): number {
    return this.bounds.length - 1;
  }

  /** Partitions' hash ranges, lowest first (a copy). */
  ranges(): { lo: number; hi: number }[] {
    return Array.from({ length: this.count }, (_, p) => ({ lo: this.bounds[p]!, hi: this.bounds[p + 1]! }));
  }

  /**
   * One tick's writes: `groupWcu[g]` write units of group g. Returns what the keys and partitions let through
   * (the object is reused). `tableWcu` is the table's capacity per second now (provisioned, or on-demand headroom).
   */
  admit(now: number, dt: number, groupWcu: ArrayLike<number>, tableWcu: number): PartitionAdmit {
    const r = this.result;
    r.admittedWcu = r.keyThrottledWcu = r.partitionThrottledWcu = 0;
    this.grow(tableWcu, now);
    if (this.config.key === 'tenant-time-bucket') {
      const bucket = Math.floor(now / this.config.timeBucket);
      if (bucket !== this.bucket) this.place(now);
    }
    const P = this.count;
    const keyCap = PARTITION_LIMITS.wcu * dt;
    const share = (tableWcu * dt) / P;
    // Fast path: if even the busiest partition of every group together stays within its share, nothing is refused.
    let bound = 0;
    let total = 0;
    let perKeyMax = 0;
    for (let g = 0; g < this.groups.length; g++) {
      const want = groupWcu[g] ?? 0;
      if (!(want > 0)) continue;
      total += want;
      bound += want * this.maxWeight[g]!;
      const perKey = want / this.keysPerGroup[g]!;
      if (perKey > perKeyMax) perKeyMax = perKey;
    }
    if (bound <= share && bound <= keyCap && perKeyMax <= keyCap) {
      if (this.timersSet) {
        this.boostSince.fill(Infinity);
        this.overSince.fill(Infinity);
        this.timersSet = false;
      }
      r.groupThrottledWcu.fill(0);
      r.admittedWcu = total;
      return r;
    }
    this.timersSet = true;
    const demand = this.demand;
    demand.fill(0);
    const groupThrottled = r.groupThrottledWcu;
    for (let g = 0; g < this.groups.length; g++) {
      const want = groupWcu[g] ?? 0;
      this.perKey[g] = 0;
      this.through[g] = 0;
      groupThrottled[g] = 0;
      if (!(want > 0)) continue;
      const keys = this.keysPerGroup[g]!;
      let through = want;
      if (want / keys > keyCap) {
        through = keyCap * keys;
        r.keyThrottledWcu += want - through;
        groupThrottled[g] = want - through;
      }
      this.through[g] = through;
      this.perKey[g] = through / keys;
      const base = g * P;
      for (let p = 0; p < P; p++) {
        const w = this.weights[base + p]!;
        if (w !== 0) demand[p] = demand[p]! + through * w;
      }
    }
    const adaptive = this.config.adaptiveCapacity === 'instant';
    let split = -1;
    for (let p = 0; p < P; p++) {
      const d = demand[p]!;
      if (d === 0) {
        this.boostSince[p] = Infinity;
        this.overSince[p] = Infinity;
        continue;
      }
      let cap = share;
      if (adaptive && d > share) {
        if (this.boostSince[p] === Infinity) this.boostSince[p] = now;
        if (now - this.boostSince[p]! >= this.config.adaptiveDelay) cap = Math.max(share, keyCap);
      } else this.boostSince[p] = Infinity;
      if (d > keyCap + 1e-9) {
        // More than one key's worth: several hot keys share this partition; after a while it is split for heat.
        if (this.overSince[p] === Infinity) this.overSince[p] = now;
        if (split < 0 && now - this.overSince[p]! >= this.config.heatSplitDelay) split = p;
      } else this.overSince[p] = Infinity;
      const admitted = d < cap ? d : cap;
      r.admittedWcu += admitted;
      r.partitionThrottledWcu += d - admitted;
      // Each group loses the same share of what it sent to this partition.
      if (admitted < d) {
        const lost = 1 - admitted / d;
        for (let g = 0; g < this.groups.length; g++) {
          const w = this.weights[g * P + p]!;
          if (w !== 0) groupThrottled[g] = groupThrottled[g]! + this.through[g]! * w * lost;
        }
      }
    }
    // A split for heat isolates hot keys on a table that has room; an overloaded table needs capacity, not splits.
    if (split >= 0 && r.admittedWcu + r.partitionThrottledWcu <= share * P) this.splitAt(split, now);
    return r;
  }

  /** Items stored, for the size-based partition count (§3.2: 10 GB per partition). */
  addStored(bytes: number): void {
    this.storedBytes += bytes;
  }

  /**
   * Enough partitions for `wcu` and the stored size (the classic count, max(WCU / 1,000, size / 10 GB): no longer in
   * the docs, UNCONFIRMED). A new table gets that many equal ranges; later, every partition splits in two until there
   * are enough, so ranges stay even. Partitions never merge.
   */
  private grow(wcu: number, now: number): void {
    const target = Math.max(1, Math.ceil(wcu / PARTITION_LIMITS.wcu - 1e-9), Math.ceil(this.storedBytes / PARTITION_LIMITS.bytes));
    if (target <= this.count) return;
    let bounds = Array.from(this.bounds);
    if (bounds.length === 2) {
      bounds = Array.from({ length: target + 1 }, (_, i) => i / target);
    } else {
      while (bounds.length - 1 < target) {
        const next: number[] = [];
        for (let p = 0; p < bounds.length - 1; p++) next.push(bounds[p]!, (bounds[p]! + bounds[p + 1]!) / 2);
        next.push(1);
        bounds = next;
      }
    }
    this.bounds = Float64Array.from(bounds);
    this.place(now);
  }

  /**
   * Splits partition `p` for heat. If one key makes at least half of its demand, the split isolates that key: just
   * below it if keys lie below, else just above it (halfway to the next key); nothing happens if it is already alone.
   * Otherwise the partition splits at the middle of its range.
   */
  private splitAt(p: number, now: number): void {
    const lo = this.bounds[p]!;
    const hi = this.bounds[p + 1]!;
    const P = this.count;
    let hot = -1;
    for (let g = 0; g < this.groups.length; g++) {
      if (this.weights[g * P + p]! > 0 && (hot < 0 || this.perKey[g]! > this.perKey[hot]!)) hot = g;
    }
    if (hot < 0) return;
    const key = firstAtOrAbove(this.positions[hot]!, lo);
    if (!(key < hi)) return;
    let keysBelow = false;
    for (const pos of this.positions) if (firstAtOrAbove(pos, lo) < key) keysBelow = true;
    let at: number;
    if (this.perKey[hot]! < 0.5 * this.demand[p]!) at = (lo + hi) / 2;
    else if (keysBelow) at = key;
    else {
      let next = hi;
      for (const pos of this.positions) {
        const k = firstAtOrAbove(pos, key + 1e-15);
        if (k < next) next = k;
      }
      if (!(next < hi)) return;
      at = (key + next) / 2;
    }
    const b = Array.from(this.bounds);
    b.splice(p + 1, 0, at);
    this.bounds = Float64Array.from(b);
    this.splitsForHeat++;
    this.place(now);
  }

  /** Places every group's keys on the partitions (MD5 of the key, as DynamoDB hashes partition keys). */
  private place(now: number): void {
    const P = this.count;
    const c = this.config;
    this.bucket = c.key === 'tenant-time-bucket' ? Math.floor(now / c.timeBucket) : -1;
    this.demand = new Float64Array(P);
    const overSince = new Float64Array(P).fill(Infinity);
    const boostSince = new Float64Array(P).fill(Infinity);
    this.overSince = overSince;
    this.boostSince = boostSince;
    // Key hashes change only with the time bucket; splits and growth only move the partition boundaries.
    if (this.hashedBucket !== this.bucket || this.hashed.length === 0) {
      this.hashed = this.groups.map((g, gi) => {
        const suffixes = c.key === 'tenant-shard' ? c.writeShards : 1;
        const positions = new Float64Array(this.keysPerGroup[gi]!);
        let n = 0;
        for (let i = 0; i < g.count; i++) {
          for (let k = 0; k < suffixes; k++) {
            const key =
              c.key === 'tenant-time-bucket' ? `${g.name}-${i}#${this.bucket}` : c.key === 'tenant-shard' ? `${g.name}-${i}#${k}` : `${g.name}-${i}`;
            positions[n++] = keyHashPosition(key);
          }
        }
        return positions.sort();
      });
      this.hashedBucket = this.bucket;
    }
    this.positions = this.hashed;
    this.weights = keyWeights(this.hashed, this.bounds);
    this.maxWeight = new Float64Array(this.groups.length);
    for (let g = 0; g < this.groups.length; g++) {
      let m = 0;
      for (let p = 0; p < P; p++) m = Math.max(m, this.weights[g * P + p]!);
      this.maxWeight[g] = m;
    }
  }
}

/** The first value ≥ `x` in sorted `values`, or Infinity. */
function firstAtOrAbove(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < values.length ? values[lo]! : Infinity;
}
