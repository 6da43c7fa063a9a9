/**
 * Prices a run's Usage against the price table, as line items in Infracost's shape (name, quantity, unit, unit price,
 * cost) so a report can show where every cent comes from. Pure: no I/O and no clock; "today" means the newest price.
 *
 * Tiers are applied to the run's own usage, i.e. the run is treated as the account's only usage that month. A short
 * run therefore always lands in the first band, which is the honest answer for an isolated pipeline and an
 * overestimate for an account that already runs other traffic through the same service.
 */
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import { PRICE_TABLE } from './price-table.ts';
import type { PriceConfidence, PriceEntry, PricedService } from './price-table.ts';
import { BYTES_PER_GB } from './usage.ts';
import type { Usage } from './usage.ts';

export interface PriceOptions {
  region: string;
  /** ISO date (YYYY-MM-DD) whose list prices to use. Default: the newest price of each item. */
  priceDate?: string;
  /** Default: PRICE_TABLE. Pass `mergePriceTables(PRICE_TABLE, userEntries)` to apply a `--prices FILE`. */
  table?: readonly PriceEntry[];
}

export interface CostLine {
  service: PricedService;
  item: string;
  /** Which band of a tiered price, e.g. "first 333", "next 667", "over 20000" (in `unit`s). */
  tier?: string;
  quantity: number;
  unit: string;
  unitPriceUsd: number;
  usd: number;
  source: string;
  asOf: string;
  confidence: PriceConfidence;
  /** Set when the price was stated equal to this other region's rather than read for the report's region. */
  sameAsRegion?: string;
}

export type ServiceCosts = Record<PricedService, number>;

export interface CostReport {
  region: string;
  /** The date asked for, or null for "newest list price". */
  priceDate: string | null;
  totalUsd: number;
  byService: ServiceCosts;
  lines: CostLine[];
}

/** One metered quantity, expressed in the unit the price table quotes. */
interface Meter {
  service: PricedService;
  item: string;
  unit: string;
  quantity: number;
}

const MILLION = 1_000_000;

/**
 * What each Usage field is billed as. Lines appear only for quantities above zero, and only those need a price, so a
 * provisioned-mode run does not need on-demand prices for its region (a run that switched modes fills both sets).
 */
function meters(u: Usage): Meter[] {
  const gb = (bytes: number): number => bytes / BYTES_PER_GB;
  // An ALB bills hours and LCUs, not requests (its fleet's instance-hours are ec2).
  const apiItem = u.apiGateway.type === 'alb' ? undefined : u.apiGateway.type === 'rest' ? 'rest-requests' : 'http-requests';
  // Older Usage objects (tests, saved files) may lack the fleet sections.
  const alb = u.alb ?? { hours: 0, lcuHours: 0, instanceHours: 0 };
  const kcl = u.kcl ?? { instanceHours: 0 };
  return [
    { service: 'apiGateway', item: apiItem ?? 'rest-requests', unit: '1M requests', quantity: apiItem ? u.apiGateway.requests / MILLION : 0 },
    { service: 'elb', item: 'alb-hours', unit: 'ALB-hour', quantity: alb.hours },
    { service: 'elb', item: 'alb-lcu-hours', unit: 'LCU-hour', quantity: alb.lcuHours },
    { service: 'ec2', item: 'api-fleet-instance-hours', unit: 'instance-hour', quantity: alb.instanceHours },
    { service: 'ec2', item: 'kcl-fleet-instance-hours', unit: 'instance-hour', quantity: kcl.instanceHours },
    { service: 'kinesis', item: 'shard-hours', unit: 'shard-hour', quantity: u.kinesis.shardHours },
    { service: 'kinesis', item: 'put-payload-units', unit: '1M PUT payload units', quantity: u.kinesis.putPayloadUnits / MILLION },
    { service: 'kinesis', item: 'on-demand-stream-hours', unit: 'stream-hour', quantity: u.kinesis.streamHours },
    { service: 'kinesis', item: 'on-demand-data-in', unit: 'GB', quantity: gb(u.kinesis.onDemandIngestBytesBilled) },
    { service: 'kinesis', item: 'on-demand-data-out', unit: 'GB', quantity: gb(u.kinesis.onDemandRetrievalBytes) },
    { service: 'lambda', item: 'requests', unit: '1M requests', quantity: u.lambda.requests / MILLION },
    { service: 'lambda', item: `duration-${u.lambda.architecture}`, unit: 'GB-second', quantity: u.lambda.gbSeconds },
    { service: 'dynamodb', item: 'write-capacity-unit-hours', unit: 'WCU-hour', quantity: u.dynamodb.writeCapacityUnitHours },
    { service: 'dynamodb', item: 'read-capacity-unit-hours', unit: 'RCU-hour', quantity: u.dynamodb.readCapacityUnitHours },
    { service: 'dynamodb', item: 'write-request-units', unit: '1M WRU', quantity: u.dynamodb.writeRequestUnits / MILLION },
    { service: 'dynamodb', item: 'read-request-units', unit: '1M RRU', quantity: u.dynamodb.readRequestUnits / MILLION },
    { service: 'dynamodb', item: 'storage', unit: 'GB-month', quantity: u.dynamodb.storageGbMonths },
    { service: 'firehose', item: 'ingestion', unit: 'GB', quantity: gb(u.firehose.ingestBytesBilled) },
    { service: 's3', item: 'put-requests', unit: '1K requests', quantity: u.s3.putRequests / 1_000 },
    { service: 's3', item: 'get-requests', unit: '1K requests', quantity: (u.s3.getRequests ?? 0) / 1_000 },
    { service: 's3', item: 'storage', unit: 'GB-month', quantity: u.s3.storageGbMonths },
  ];
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function addHint(): string {
  return 'add one with --prices FILE';
}

/**
 * The entry in force for (region, service, item) on `priceDate`, or the newest one. Never falls back to another
 * region: a missing price is an error the user must resolve, not a silent us-east-1 number.
 */
export function selectPrice(
  table: readonly PriceEntry[],
  region: string,
  service: PricedService,
  item: string,
  priceDate?: string,
): PriceEntry {
  const candidates = table.filter((e) => e.region === region && e.service === service && e.item === item);
  if (candidates.length === 0) throw new UsageError(`no price for ${service} ${item} in ${region}; ${addHint()}`);

  let valid: PriceEntry[];
  if (priceDate === undefined) {
    // Newest = still open-ended. A region whose only known price has ended has no current price.
    valid = candidates.filter((e) => e.effectiveUntil === undefined);
    if (valid.length === 0) {
      const ended = candidates.map((e) => e.effectiveUntil).sort().at(-1);
      throw new UsageError(
        `no current price for ${service} ${item} in ${region} (the newest known ended ${ended}); pass a price date before then or ${addHint()}`,
      );
    }
  } else {
    valid = candidates.filter(
      (e) =>
        (e.effectiveFrom === undefined || e.effectiveFrom <= priceDate) &&
        (e.effectiveUntil === undefined || priceDate < e.effectiveUntil),
    );
    if (valid.length === 0) throw new UsageError(`no price for ${service} ${item} in ${region} on ${priceDate}; ${addHint()}`);
  }
  // Latest start wins; on a tie the later entry in the table wins (user overrides are appended).
  let best = valid[0]!;
  for (const e of valid.slice(1)) if ((e.effectiveFrom ?? '') >= (best.effectiveFrom ?? '')) best = e;
  return best;
}

const compactNumber = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 });
const wholeNumber = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/**
 * A tier bound in the entry's own unit, written out: 333 of "1M requests" → "333M requests", 6e9 "GB-second" →
 * "6B GB-seconds", 512,000 "GB" → "512,000 GB".
 */
export function tierAmount(amount: number, unit: string): string {
  const m = /^(\d+)([KM])\s+(.+)$/.exec(unit);
  const total = m ? amount * Number(m[1]) * (m[2] === 'K' ? 1e3 : 1e6) : amount;
  const noun = m ? m[3]! : total === 1 || /s$/.test(unit) || /^GB$|^TB$/.test(unit) ? unit : `${unit}s`;
  return `${total >= 1e6 ? compactNumber.format(total) : wholeNumber.format(total)} ${noun}`;
}

function tierLabel(index: number, from: number, upTo: number | undefined, unit: string): string {
  if (index === 0 && upTo !== undefined) return `first ${tierAmount(upTo, unit)}`;
  if (upTo === undefined) return index === 0 ? 'all' : `over ${tierAmount(from, unit)}`;
  return `next ${tierAmount(upTo - from, unit)}`;
}

/** Splits `quantity` across the entry's bands; an untiered entry is one band. */
function bands(entry: PriceEntry, quantity: number): { tier?: string; quantity: number; unitPriceUsd: number }[] {
  const tiers = entry.tiers;
  if (tiers === undefined || tiers.length === 0) return [{ quantity, unitPriceUsd: entry.usd }];
  const out: { tier?: string; quantity: number; unitPriceUsd: number }[] = [];
  let from = 0;
  for (const [i, t] of tiers.entries()) {
    const upTo = t.upTo;
    if (upTo !== undefined && upTo <= from) {
      throw new UsageError(`price for ${entry.service} ${entry.item} in ${entry.region}: tier bounds must increase (${upTo} after ${from})`);
    }
    const inBand = Math.min(quantity, upTo ?? Infinity) - from;
    if (inBand > 0 || i === 0) out.push({ tier: tierLabel(i, from, upTo, entry.unit), quantity: Math.max(inBand, 0), unitPriceUsd: t.usd });
    if (upTo === undefined) return out;
    from = upTo;
    if (quantity <= from) return out;
  }
  throw new UsageError(
    `no price for ${entry.service} ${entry.item} in ${entry.region} above ${from} ${entry.unit} (the sourced tiers stop there); ${addHint()}`,
  );
}

/**
 * The oldest dated source behind the bundled price table (aws-reference.md, KDS-Q-2017 and FH-Q v1, 2017-12-19;
 * docs/sources.md). Before it the table cannot say what anything cost: Kinesis then billed PUT transactions, not
 * payload units (aws-reference §1.6, History).
 */
export const PRICES_KNOWN_FROM = '2017-12-19';

/** A price date must be a real calendar day (not 2020-13-45) on or after the oldest price the table knows. */
export function checkPriceDate(date: string, table: readonly PriceEntry[] = PRICE_TABLE): void {
  const m = ISO_DATE.test(date) ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(date) : null;
  const day = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !day || day.toISOString().slice(0, 10) !== date) {
    throw new UsageError(`price date must be a real day as YYYY-MM-DD (e.g. 2024-11-01), got "${date}"`);
  }
  const oldest = table.reduce((min, e) => (e.effectiveFrom !== undefined && e.effectiveFrom < min ? e.effectiveFrom : min), PRICES_KNOWN_FROM);
  if (date < oldest) {
    throw new UsageError(`no price is known before ${oldest} (the oldest source behind the price table, docs/sources.md), got price date ${date}`);
  }
}

export function priceUsage(usage: Usage, opts: PriceOptions): CostReport {
  const table = opts.table ?? PRICE_TABLE;
  if (opts.priceDate !== undefined) checkPriceDate(opts.priceDate, table);
  const byService: ServiceCosts = { apiGateway: 0, kinesis: 0, lambda: 0, dynamodb: 0, firehose: 0, s3: 0, elb: 0, ec2: 0 };
  const lines: CostLine[] = [];

  for (const m of meters(usage)) {
    if (!Number.isFinite(m.quantity) || m.quantity < 0) {
      throw new RangeError(`usage for ${m.service} ${m.item} must be a finite number ≥ 0, got ${m.quantity}`);
    }
    if (m.quantity === 0) continue;
    const entry = selectPrice(table, opts.region, m.service, m.item, opts.priceDate);
    if (entry.unit !== m.unit) {
      throw new UsageError(
        `price for ${m.service} ${m.item} in ${opts.region} is per "${entry.unit}"; the meter needs it per "${m.unit}"`,
      );
    }
    for (const b of bands(entry, m.quantity)) {
      const usd = b.quantity * b.unitPriceUsd;
      byService[m.service] += usd;
      lines.push({
        service: m.service,
        item: m.item,
        ...(b.tier !== undefined ? { tier: b.tier } : {}),
        quantity: b.quantity,
        unit: m.unit,
        unitPriceUsd: b.unitPriceUsd,
        usd,
        source: entry.source,
        asOf: entry.asOf,
        confidence: entry.confidence,
        ...(entry.sameAsRegion !== undefined ? { sameAsRegion: entry.sameAsRegion } : {}),
      });
    }
  }

  const totalUsd = Object.values(byService).reduce((a, b) => a + b, 0);
  return { region: opts.region, priceDate: opts.priceDate ?? null, totalUsd, byService, lines };
}

const key = (e: PriceEntry): string => `${e.region}\u0000${e.service}\u0000${e.item}`;

/**
 * A user price file wins per (region, service, item): every base entry with that key, including its dated history,
 * is replaced by the override entries with the same key. Entries for new keys are added.
 */
export function mergePriceTables(base: readonly PriceEntry[], overrides: readonly PriceEntry[]): PriceEntry[] {
  const replaced = new Set(overrides.map(key));
  return [...base.filter((e) => !replaced.has(key(e))), ...overrides];
}

/**
 * Cost per million events delivered: stored in DynamoDB and in S3 (design.md, Words), so a run that drops or loses
 * events is never cheaper for it. Null when nothing was delivered (the ratio is undefined).
 */
export function perMillionEvents(totalUsd: number, deliveredEvents: number): number | null {
  if (deliveredEvents <= 0) return null;
  return (totalUsd / deliveredEvents) * MILLION;
}

/** Events that reached both sinks, as far as aggregate counts tell: the smaller of stored and delivered. */
export function deliveredEvents(stored: number, delivered: number): number {
  return Math.min(stored, delivered);
}

const priceEntrySchema = z.strictObject({
  region: z.string().min(1),
  service: z.enum(['apiGateway', 'kinesis', 'lambda', 'dynamodb', 'firehose', 's3', 'elb', 'ec2']),
  item: z.string().min(1),
  unit: z.string().min(1),
  usd: z.number().nonnegative(),
  tiers: z.array(z.strictObject({ upTo: z.number().positive().optional(), usd: z.number().nonnegative() })).optional(),
  effectiveFrom: z.string().regex(ISO_DATE).optional(),
  effectiveUntil: z.string().regex(ISO_DATE).optional(),
  asOf: z.string().min(1),
  source: z.string().min(1),
  confidence: z.enum(['AWS-doc', 'price-db', '3rd-party', 'UNCONFIRMED']),
  sameAsRegion: z.string().optional(),
  note: z.string().optional(),
});

/**
 * Validates the parsed contents of a `--prices FILE` (an array of PriceEntry) and reports every problem at once.
 * Reading and YAML/JSON parsing stay with the caller so this module does no I/O.
 */
export function parsePriceEntries(data: unknown, file: string): PriceEntry[] {
  const result = z.array(priceEntrySchema).safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${file}: ${i.path.map(String).join('.') || '(top level)'}: ${i.message}`);
  throw new UsageError(problems.join('\n'));
}
