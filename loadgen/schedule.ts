/**
 * The open-model arrival schedule: a scenario's tenant groups turned into timed HTTP requests. Offered events per
 * group and tick come from the simulator's own TrafficSource (same rates, stages, bursts, Poisson noise, and the same
 * seeded random stream, so with no sampling every tick offers exactly the events the simulator offers); this file
 * only decides when, inside a tick, each event arrives, which tenant sends it, and how events fill requests.
 *
 * - `noise: none`: events evenly spaced inside the tick, dealt to the group's tenants in turn.
 * - `noise: poisson`: event times uniform inside the tick (a Poisson process given its count), each to a tenant
 *   drawn uniformly, so every tenant's own arrivals are Poisson too.
 * - A tenant sends a request when `batchSize` events are pending (the client's multi-put, as the simulator counts
 *   requests = events / batchSize); events still pending when the scenario ends are flushed then, as a producer
 *   flushes its buffer on shutdown.
 * - Compressed time (`timeScale` K): scenario second s is sent at wall second s / K. Sampling (`sample` F): each
 *   offered event is kept with probability F (exactly every 1/F-th for `noise: none`) and stands for 1/F events.
 *
 * The schedule is generated tick by tick (a cursor), so a day-long scenario never sits in memory.
 */
import { createRandom, type Random } from '../sim/engine/random.ts';
import { TrafficSource, type TenantGroup } from '../sim/traffic.ts';
import type { Scenario } from '../scenarios/schema.ts';

/** One request the schedule intends to send. */
export interface ScheduledRequest {
  /** Intended send time: wall seconds since the start of the run. */
  readonly at: number;
  /** Scenario seconds since the scenario's start at that instant (at × timeScale). */
  readonly scenarioTime: number;
  /** Index of the tenant group in the scenario. */
  readonly group: number;
  /** Global tenant index: the groups' tenants numbered in file order. */
  readonly tenant: number;
  /** Events in the request (its multi-put). */
  readonly events: number;
  /** The tenant's sequence number of the request's first event (event ids are tenant + sequence). */
  readonly firstSeq: number;
}

export interface ScheduleOptions {
  /** Scenario seconds replayed per wall second (K); default 1. */
  readonly timeScale?: number;
  /** Fraction of offered events sent (F), each weighted 1/F; default 1 / timeScale. */
  readonly sample?: number;
  /** Only these global tenant indices emit requests (a worker's share); the draws are the same for every share. */
  readonly tenantFilter?: (tenant: number) => boolean;
}

/** The shape of a scenario the schedule needs (a parsed scenario has it). */
export type ScheduleScenario = Pick<Scenario, 'seed' | 'duration' | 'resolution'> & { readonly tenants: readonly TenantGroup[]; readonly traffic?: { readonly scale: number } };

export interface ScheduleShape {
  readonly timeScale: number;
  readonly sample: number;
  /** Events each sent event stands for (1 / sample). */
  readonly weight: number;
  /** Wall seconds the schedule spans (scenario duration / timeScale). */
  readonly wallDuration: number;
  /** First global tenant index of each group. */
  readonly groupFirstTenant: readonly number[];
  readonly tenantCount: number;
}

/** Checks and completes schedule options; throws a RangeError naming the bad value. */
export function scheduleShape(scenario: ScheduleScenario, options: ScheduleOptions = {}): ScheduleShape {
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new RangeError(`time scale must be a positive number, got ${timeScale}`);
  const sample = options.sample ?? 1 / timeScale;
  if (!(sample > 0 && sample <= 1)) {
    throw new RangeError(`sample must be in (0, 1], got ${sample}${options.sample === undefined ? ` (the default 1 / time scale ${timeScale} needs a time scale ≥ 1)` : ''}`);
  }
  const groupFirstTenant: number[] = [];
  let tenantCount = 0;
  for (const g of scenario.tenants) {
    groupFirstTenant.push(tenantCount);
    tenantCount += g.count;
  }
  return { timeScale, sample, weight: 1 / sample, wallDuration: scenario.duration / timeScale, groupFirstTenant, tenantCount };
}

/** Tenant ids the load generator uses for a scenario: `<group name>-<n>`, n from 1, in global tenant order. */
export function scenarioTenantIds(scenario: Pick<ScheduleScenario, 'tenants'>): string[] {
  const ids: string[] = [];
  for (const g of scenario.tenants) for (let j = 1; j <= g.count; j++) ids.push(`${g.name}-${j}`);
  return ids;
}

/**
 * Walks the schedule in time order, one tick of the scenario's resolution at a time. `next()` returns the next
 * request or undefined at the end; `peek()` looks without taking.
 */
export class ScheduleCursor {
  readonly shape: ScheduleShape;
  private readonly traffic: TrafficSource;
  /** Sampling, arrival times and tenant choice: a stream of its own, so the traffic draws stay the simulator's. */
  private readonly random: Random;
  private readonly drawn: Float64Array;
  private readonly sampleCarry: Float64Array;
  private readonly roundRobin: Float64Array;
  private readonly pending: Int32Array;
  private readonly nextSeq: Float64Array;
  private readonly dt: number;
  private tickStart = 0;
  private buffer: ScheduledRequest[] = [];
  private index = 0;
  private finished = false;
  /** Offered events drawn so far (before sampling), in scenario units. */
  offeredEvents = 0;

  constructor(
    private readonly scenario: ScheduleScenario,
    private readonly options: ScheduleOptions = {},
  ) {
    this.shape = scheduleShape(scenario, options);
    const groups = scenario.tenants.length;
    this.traffic = new TrafficSource(scenario.tenants, createRandom(scenario.seed), scenario.traffic?.scale ?? 1);
    this.random = createRandom(`${scenario.seed}:loadgen`);
    this.drawn = new Float64Array(groups);
    this.sampleCarry = new Float64Array(groups);
    this.roundRobin = new Float64Array(groups);
    this.pending = new Int32Array(this.shape.tenantCount);
    this.nextSeq = new Float64Array(this.shape.tenantCount);
    this.dt = scenario.resolution;
    if (!(this.dt > 0)) throw new RangeError(`resolution must be positive, got ${this.dt}`);
  }

  peek(): ScheduledRequest | undefined {
    while (this.index >= this.buffer.length) {
      if (this.finished) return undefined;
      this.fill();
    }
    return this.buffer[this.index];
  }

  next(): ScheduledRequest | undefined {
    const r = this.peek();
    if (r) this.index++;
    return r;
  }

  /** Generates the next tick's requests (or the final flush) into the buffer. */
  private fill(): void {
    this.buffer = [];
    this.index = 0;
    const { duration, tenants } = this.scenario;
    const K = this.shape.timeScale;
    if (this.tickStart >= duration - 1e-9) {
      this.flush();
      this.finished = true;
      return;
    }
    const t = this.tickStart;
    const dt = Math.min(this.dt, duration - t);
    this.traffic.draw(t, dt, this.drawn);
    const F = this.shape.sample;
    const filter = this.options.tenantFilter;
    for (let g = 0; g < tenants.length; g++) {
      const group = tenants[g]!;
      const offered = this.drawn[g]!;
      this.offeredEvents += offered;
      const poisson = group.noise === 'poisson';
      let n: number;
      if (F >= 1) n = offered;
      else if (poisson) n = this.binomial(offered, F);
      else {
        const total = offered * F + this.sampleCarry[g]!;
        n = Math.floor(total + 1e-9);
        this.sampleCarry[g] = total - n;
      }
      if (n === 0) continue;
      const times = new Float64Array(n);
      if (poisson) {
        for (let i = 0; i < n; i++) times[i] = t + this.random.next() * dt;
        times.sort();
      } else {
        for (let i = 0; i < n; i++) times[i] = t + ((i + 0.5) * dt) / n;
      }
      const first = this.shape.groupFirstTenant[g]!;
      for (let i = 0; i < n; i++) {
        let j: number;
        if (poisson) j = Math.floor(this.random.next() * group.count);
        else {
          j = this.roundRobin[g]! % group.count;
          this.roundRobin[g] = j + 1;
        }
        const tenant = first + j;
        const pending = ++this.pending[tenant]!;
        if (pending < group.batchSize) continue;
        this.pending[tenant] = 0;
        const seq = this.nextSeq[tenant]!;
        this.nextSeq[tenant] = seq + pending;
        if (filter && !filter(tenant)) continue;
        const time = times[i]!;
        this.buffer.push({ at: time / K, scenarioTime: time, group: g, tenant, events: pending, firstSeq: seq });
      }
    }
    this.buffer.sort((a, b) => a.at - b.at);
    this.tickStart = t + dt;
  }

  /** The scenario ends: every tenant sends what it still holds. */
  private flush(): void {
    const { duration, tenants } = this.scenario;
    for (let g = 0; g < tenants.length; g++) {
      const first = this.shape.groupFirstTenant[g]!;
      for (let tenant = first; tenant < first + tenants[g]!.count; tenant++) {
        const pending = this.pending[tenant]!;
        if (pending === 0) continue;
        this.pending[tenant] = 0;
        const seq = this.nextSeq[tenant]!;
        this.nextSeq[tenant] = seq + pending;
        if (this.options.tenantFilter && !this.options.tenantFilter(tenant)) continue;
        this.buffer.push({ at: duration / this.shape.timeScale, scenarioTime: duration, group: g, tenant, events: pending, firstSeq: seq });
      }
    }
  }

  /** Binomial(n, p) thinning of a Poisson count (still Poisson, with mean λp). */
  private binomial(n: number, p: number): number {
    if (n > 1000) {
      // Normal approximation: the per-tick counts here are large and a per-event loop would dominate.
      const mean = n * p;
      const sd = Math.sqrt(n * p * (1 - p));
      return Math.min(n, Math.max(0, Math.round(mean + sd * this.random.normal())));
    }
    let k = 0;
    for (let i = 0; i < n; i++) if (this.random.next() < p) k++;
    return k;
  }
}

export interface ScheduleTotals {
  requests: number;
  /** Events sent (after sampling). */
  events: number;
  /** Offered events in scenario units (before sampling). */
  offeredEvents: number;
  /** Requests per wall second, index = floor(at). */
  requestsPerSecond: number[];
  /** Events those requests carry (sent units), per wall second. */
  eventsPerSecond: number[];
  peakRequestsPerSecond: number;
}

/** Walks a whole schedule and counts it (for plans, tests and the progress bar's targets). */
export function scheduleTotals(scenario: ScheduleScenario, options: ScheduleOptions = {}): ScheduleTotals {
  const cursor = new ScheduleCursor(scenario, options);
  const perSecond: number[] = [];
  const eventsPerSecond: number[] = [];
  let requests = 0;
  let events = 0;
  for (let r = cursor.next(); r; r = cursor.next()) {
    requests++;
    events += r.events;
    const s = Math.min(Math.floor(r.at), Math.max(0, Math.ceil(cursor.shape.wallDuration) - 1));
    perSecond[s] = (perSecond[s] ?? 0) + 1;
    eventsPerSecond[s] = (eventsPerSecond[s] ?? 0) + r.events;
  }
  let peak = 0;
  for (let i = 0; i < perSecond.length; i++) {
    peak = Math.max(peak, (perSecond[i] ??= 0));
    eventsPerSecond[i] ??= 0;
  }
  return { requests, events, offeredEvents: cursor.offeredEvents, requestsPerSecond: perSecond, eventsPerSecond, peakRequestsPerSecond: peak };
}
