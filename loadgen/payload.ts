/**
 * Request bodies, generated from the seed: the same scenario, seed and start time give the same bytes, whichever
 * worker sends a request and however often it is retried. Event sizes follow the group's `eventBytes` through the
 * simulator's own discretised distribution (sim/event-size.ts), so the bytes sent match the bytes the model bills.
 */
import { createRandom } from '../sim/engine/random.ts';
import { sizeStats, type SizeDistribution } from '../sim/event-size.ts';
import type { TenantGroup } from '../sim/traffic.ts';
import type { ScheduledRequest } from './schedule.ts';

export interface PayloadOptions {
  readonly seed: number;
  /** Epoch ms of scenario time 0: event timestamps are this plus the request's scenario time. */
  readonly startEpochMs: number;
  /** Prepended to every event id, so two runs against one pipeline do not collide (default `s<seed>-`). */
  readonly idPrefix?: string;
}

/**
 * The sizes the simulator integrates over: sim/event-size.ts evaluates E[f(size)] as the mean of f over its quantile
 * points, so handing it a recording f lists those points. Drawing one of them uniformly is drawing from the very
 * distribution the model bills, clamping and rounding included, without a second implementation of it.
 */
export function quantileSizes(dist: SizeDistribution): Int32Array {
  const sizes: number[] = [];
  sizeStats(dist).expect((bytes) => (sizes.push(bytes), 0));
  return Int32Array.from(sizes);
}

/** A 32-bit integer hash (murmur3's finaliser over a few words): position-independent randomness for payloads. */
export function hash32(...words: number[]): number {
  let h = 0x9e3779b9;
  for (const w of words) {
    h = Math.imul(h ^ (w >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const FILLER_SLACK = 4096;

export class PayloadFactory {
  private readonly sizes: Int32Array[];
  private readonly filler: string;
  private readonly prefix: string;

  constructor(
    groups: readonly Pick<TenantGroup, 'eventBytes'>[],
    /** Scenario tenant ids in global tenant order (scenarioTenantIds). */
    private readonly tenantIds: readonly string[],
    private readonly options: PayloadOptions,
  ) {
    this.sizes = groups.map((g) => quantileSizes(g.eventBytes));
    let max = 0;
    for (const s of this.sizes) for (const b of s) max = Math.max(max, b);
    const random = createRandom(`${options.seed}:payload`);
    const chars: string[] = [];
    for (let i = 0; i < max + FILLER_SLACK; i++) chars.push(ALPHABET[Math.floor(random.next() * ALPHABET.length)]!);
    this.filler = chars.join('');
    this.prefix = options.idPrefix ?? `s${options.seed}-`;
  }

  /** The event's size in bytes of JSON (its drawn size, or its fixed fields when the size is smaller). */
  eventSize(group: number, tenant: number, seq: number): number {
    const sizes = this.sizes[group]!;
    return sizes[hash32(this.options.seed, tenant, seq, 1) % sizes.length]!;
  }

  /** One event as JSON text. */
  event(group: number, tenant: number, seq: number, timestamp: number): string {
    const tenantId = this.tenantIds[tenant]!;
    const head = `{"id":"${this.prefix}${tenantId}-${seq}","timestamp":${timestamp},"source":"${tenantId}","seq":${seq},"data":"`;
    const pad = Math.max(0, this.eventSize(group, tenant, seq) - head.length - 2);
    const offset = hash32(this.options.seed, tenant, seq, 2) % FILLER_SLACK;
    return `${head}${this.filler.slice(offset, offset + pad)}"}`;
  }

  /** The request body: one event alone, or `{"events":[…]}` for a multi-put; `only`: just these of its events (a retry). */
  body(req: ScheduledRequest, groupBatchSize: number, only?: readonly number[]): string {
    const timestamp = Math.round(this.options.startEpochMs + req.scenarioTime * 1000);
    if (req.events === 1 && groupBatchSize === 1) return this.event(req.group, req.tenant, req.firstSeq, timestamp);
    const parts: string[] = [];
    for (const i of only ?? Array.from({ length: req.events }, (_, k) => k)) parts.push(this.event(req.group, req.tenant, req.firstSeq + i, timestamp));
    return `{"events":[${parts.join(',')}]}`;
  }

  /** Event ids of a request, as the body carries them (for audits). */
  eventIds(req: ScheduledRequest): string[] {
    const tenantId = this.tenantIds[req.tenant]!;
    return Array.from({ length: req.events }, (_, i) => `${this.prefix}${tenantId}-${req.firstSeq + i}`);
  }
}
