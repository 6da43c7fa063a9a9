/**
 * Expectations (`expect:` in a scenario file): k6-style threshold strings over summary.json fields and over sliding
 * windows of the timeline. Pure: parse a string into a checked AST, evaluate it against a Summary and a Timeline.
 *
 *   events.dropped: "== 0"                      a summary field compared as it is
 *   kinesis.throttledRecords: "rate < 0.01"      a summary count divided by events.offered
 *   throttleRate: "max(5m) < 0.05"               the worst (highest) 5-minute window of a timeline series
 *   iteratorAgeMs: "< 60000"                     a series without a window: its value over the whole run
 */
import { z } from 'zod';
import { formatDuration, parseDuration } from './duration.ts';
import { PRICE_TABLE } from './pricing/price-table.ts';
import type { Summary } from './summary.ts';
import { TIMELINE_COLUMNS, type Timeline, type TimelineColumn } from './timeline.ts';

export const OPERATORS = ['<', '<=', '>', '>=', '==', '!='] as const;
export type Operator = (typeof OPERATORS)[number];
export const WINDOW_FUNCTIONS = ['max', 'min', 'avg'] as const;
export type WindowFunction = (typeof WINDOW_FUNCTIONS)[number];

const base = { key: z.string().min(1), text: z.string(), op: z.enum(OPERATORS), threshold: z.number().refine(Number.isFinite) };

/** The parsed form of one expectation string. */
export const expectationSchema = z.discriminatedUnion('kind', [
  /** A summary field, or a series over the whole run. */
  z.strictObject({ kind: z.literal('value'), source: z.enum(['summary', 'series']), ...base }),
  /** A summary count as a share of events.offered. */
  z.strictObject({ kind: z.literal('rate'), source: z.literal('summary'), ...base }),
  /** The highest / lowest / mean of a series' values over every window of `windowSeconds`. */
  z.strictObject({
    kind: z.literal('window'),
    source: z.literal('series'),
    fn: z.enum(WINDOW_FUNCTIONS),
    windowSeconds: z.number().positive(),
    ...base,
  }),
]);
export type Expectation = z.output<typeof expectationSchema>;

// ---------------------------------------------------------------------------------------------------------------
// What a key may name

/** Dotted paths to the numeric fields of T (records with free keys and arrays excluded). */
type NumericPaths<T, P extends string = ''> = {
  [K in keyof T & string]-?: Exclude<T[K], undefined> extends number | null
    ? `${P}${K}`
    : Exclude<T[K], undefined> extends readonly unknown[]
      ? never
      : Exclude<T[K], undefined> extends object
        ? string extends keyof Exclude<T[K], undefined>
          ? never
          : NumericPaths<Exclude<T[K], undefined>, `${P}${K}.`>
        : never;
}[keyof T & string];

type FieldKind = 'count' | 'value';

/**
 * Every numeric summary.json field. `count` fields are event or record counts, which `rate` divides by events.offered.
 * `satisfies` catches a renamed field at type-checking; expectations.test.ts catches a new one missing from this list.
 */
const SUMMARY_FIELDS = {
  seed: 'value',
  durationSeconds: 'value',
  resolutionSeconds: 'value',
  drainSeconds: 'value',
  'events.offered': 'count',
  'events.accepted': 'count',
  'events.rejected': 'count',
  'events.dropped': 'count',
  'events.stored': 'count',
  'events.delivered': 'count',
  'events.lost': 'count',
  'audit.inFlightAtEnd.kinesisRetries': 'count',
  'audit.inFlightAtEnd.stream': 'count',
  'audit.inFlightAtEnd.firehoseBuffer': 'count',
  'audit.lost': 'count',
  'audit.stored.reached': 'count',
  'audit.stored.lost': 'count',
  'audit.stored.inFlight': 'count',
  'audit.stored.difference': 'value',
  'audit.delivered.reached': 'count',
  'audit.delivered.lost': 'count',
  'audit.delivered.inFlight': 'count',
  'audit.delivered.difference': 'value',
  'apiGateway.requests': 'value',
  'apiGateway.rejectedTenantLimit': 'count',
  'apiGateway.rejectedAccountLimit': 'count',
  'apiGateway.rejectedPayload': 'count',
  'apiGateway.rejectedRecordSize': 'count',
  'kinesis.shardsInitial': 'value',
  'kinesis.shardsMax': 'value',
  'kinesis.shardsFinal': 'value',
  'kinesis.reshards': 'value',
  'kinesis.throttledRecords': 'count',
  'kinesis.shardHours': 'value',
  'kinesis.maxIteratorAgeMs': 'value',
  'lambda.invocations': 'value',
  'lambda.gbSeconds': 'value',
  'lambda.maxConcurrency': 'value',
  'lambda.memoryMb': 'value',
  'dynamodb.throttledRequests': 'count',
  'dynamodb.partitionThrottledRequests': 'count',
  'dynamodb.partitionsMax': 'value',
  'queries.queries': 'count',
  'queries.dynamodbReadUnits': 'value',
  'queries.dynamodbReadThrottled': 'value',
  'queries.s3GetRequests': 'count',
  'queries.s3BytesScanned': 'value',
  'queries.drillMeanMs': 'value',
  'queries.schemaReadUnits': 'value',
  'queries.schemaReadThrottled': 'value',
  'dynamodb.writeCapacityMax': 'value',
  'dynamodb.capacityUnitHours': 'value',
  'dynamodb.tables': 'value',
  'firehose.throttledRecords': 'count',
  'firehose.objects': 'value',
  'firehose.bytes': 'value',
  'latencyMs.p50': 'value',
  'latencyMs.p95': 'value',
  'latencyMs.p99': 'value',
  'latencyMs.max': 'value',
  'ingestLatencyMs.p50': 'value',
  'ingestLatencyMs.p95': 'value',
  'ingestLatencyMs.p99': 'value',
  'ingestLatencyMs.max': 'value',
  'scaling.kinesis.lagSeconds': 'value',
  'scaling.kinesis.underProvisionedSeconds': 'value',
  'scaling.kinesis.firstScaleUpAtSeconds': 'value',
  'scaling.dynamodb.lagSeconds': 'value',
  'scaling.dynamodb.underProvisionedSeconds': 'value',
  'cost.totalUsd': 'value',
  'cost.perMillionEventsUsd': 'value',
} as const satisfies Partial<Record<NumericPaths<Summary>, FieldKind>>;

/** cost.byService has one key per priced service: those the price table knows. */
const PRICED_SERVICES = [...new Set(PRICE_TABLE.map((p) => p.service))].sort();

const summaryFields: ReadonlyMap<string, FieldKind> = new Map<string, FieldKind>([
  ...(Object.entries(SUMMARY_FIELDS) as [string, FieldKind][]),
  ...PRICED_SERVICES.map((s): [string, FieldKind] => [`cost.byService.${s}`, 'value']),
]);

/** Series that are the ratio of two timeline columns; a window's value is Σ numerator / Σ denominator over it. */
const RATIO_SERIES = {
  throttleRate: { numerator: 'kinesisThrottled', denominator: 'offered', about: 'Kinesis throttled records per offered event' },
  dropRate: { numerator: 'dropped', denominator: 'offered', about: 'dropped events per offered event' },
  rejectRate: { numerator: 'rejected', denominator: 'offered', about: 'events API Gateway refused per offered event' },
  kinesisUtilization: { numerator: 'kinesisDemandRps', denominator: 'kinesisCapacityRps', about: 'Kinesis write demand / capacity, records' },
  ddbUtilization: { numerator: 'ddbDemandWcu', denominator: 'ddbCapacityWcu', about: 'DynamoDB write demand / provisioned WCU' },
} as const satisfies Record<string, { numerator: TimelineColumn; denominator: TimelineColumn; about: string }>;

export type SeriesName = keyof typeof RATIO_SERIES | TimelineColumn;

/** Every name a windowed expectation accepts: the derived ratios, then the timeline's own columns. */
export const SERIES_NAMES: readonly SeriesName[] = [
  ...(Object.keys(RATIO_SERIES) as (keyof typeof RATIO_SERIES)[]),
  ...(Object.keys(TIMELINE_COLUMNS) as TimelineColumn[]),
];
export const SUMMARY_FIELD_NAMES: readonly string[] = [...summaryFields.keys()];

const isSeries = (key: string): key is SeriesName => key in RATIO_SERIES || key in TIMELINE_COLUMNS;

// ---------------------------------------------------------------------------------------------------------------
// Parsing

const FORMS = '"<op> <number>", "rate <op> <number>" or "max|min|avg(<duration>) <op> <number>", with <op> one of < <= > >= == !=';
const SHAPE = /^(?:(rate)\b\s*|(max|min|avg)\s*\(([^()]*)\)\s*)?(<=|>=|==|!=|<|>)\s*(.+)$/;
const NUMBER = /^[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$/i;

export type ParseResult = { ok: true; expectation: Expectation } | { ok: false; message: string };

/** Parses one expectation string for `key`; the message of a failure says what was expected and what was found. */
export function parseExpectation(key: string, text: string): ParseResult {
  const fail = (message: string): ParseResult => ({ ok: false, message });
  const source = summaryFields.has(key) ? 'summary' : isSeries(key) ? 'series' : undefined;
  if (source === undefined) return fail(unknownKeyMessage(key));

  const trimmed = text.trim();
  const m = SHAPE.exec(trimmed);
  if (!m) {
    const hint = /\bp\(\d+(\.\d+)?\)/.test(trimmed) ? ' (percentiles are fields here: write latencyMs.p99: "< 5000")' : '';
    return fail(`cannot read "${text}": expected ${FORMS}${hint}`);
  }
  const [, rate, fn, windowText, op, numberText] = m;
  const numberPart = numberText!.trim();
  if (numberPart.endsWith('%')) return fail(`cannot read "${text}": write shares as fractions (0.01, not 1%)`);
  if (!NUMBER.test(numberPart)) return fail(`cannot read "${text}": expected a number after "${op}", got "${numberPart}"`);
  const threshold = Number(numberPart.replaceAll('_', ''));

  const common = { key, text: trimmed, op: op as Operator, threshold };
  let candidate: unknown;
  if (rate) {
    if (source === 'series') {
      return fail(`"rate" divides a summary count by events.offered; "${key}" is a timeline series: write e.g. "max(5m) < 0.05"`);
    }
    if (summaryFields.get(key) !== 'count') {
      return fail(`"rate" divides an event or record count by events.offered; "${key}" is not a count (counts: ${countFields().join(', ')})`);
    }
    candidate = { kind: 'rate', source, ...common };
  } else if (fn) {
    if (source === 'summary') {
      const hint = seriesHint(key);
      return fail(`${fn}(…) slides a window over a timeline series; "${key}" is a run total from summary.json${hint}`);
    }
    const seconds = parseDuration(windowText!.trim());
    if (seconds === undefined || seconds <= 0) {
      return fail(`cannot read "${text}": expected a duration inside ${fn}(…) such as 30s, 5m or 1h, got "${windowText!.trim()}"`);
    }
    candidate = { kind: 'window', source, fn, windowSeconds: seconds, ...common };
  } else {
    candidate = { kind: 'value', source, ...common };
  }
  const checked = expectationSchema.safeParse(candidate);
  return checked.success ? { ok: true, expectation: checked.data } : fail(`cannot read "${text}": ${checked.error.issues[0]?.message}`);
}

const countFields = () => [...summaryFields].filter(([, kind]) => kind === 'count').map(([k]) => k);

function seriesHint(key: string): string {
  const hints: Record<string, string> = {
    'events.dropped': 'dropRate or dropped',
    'events.rejected': 'rejectRate or rejected',
    'events.offered': 'offered',
    'kinesis.throttledRecords': 'throttleRate or kinesisThrottled',
    'kinesis.maxIteratorAgeMs': 'iteratorAgeMs',
    'dynamodb.throttledRequests': 'ddbThrottled',
    'firehose.throttledRecords': 'firehoseThrottled',
  };
  const series = hints[key];
  return series ? `; for its timeline series use ${series}` : `; series: ${Object.keys(RATIO_SERIES).join(', ')} or any timeline column`;
}

function unknownKeyMessage(key: string): string {
  const children = SUMMARY_FIELD_NAMES.filter((k) => k.startsWith(`${key}.`));
  if (children.length > 0) return `"${key}" is a group of fields, not a number: use one of ${children.join(', ')}`;
  const all = [...SUMMARY_FIELD_NAMES, ...SERIES_NAMES];
  const lower = key.toLowerCase();
  const near = all
    .map((k) => ({ k, d: Math.min(editDistance(lower, k.toLowerCase()), editDistance(lower, (k.split('.').at(-1) ?? k).toLowerCase())) }))
    .filter(({ d }) => d <= 2)
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .slice(0, 3)
    .map(({ k }) => k);
  const hint = near.length > 0 ? `; did you mean ${near.join(' or ')}?` : '';
  return `unknown field "${key}": expected a number in summary.json (e.g. events.dropped, scaling.kinesis.lagSeconds) or a timeline series (${SERIES_NAMES.slice(0, 6).join(', ')}, …)${hint}`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The `expect:` section of a scenario: a mapping of key → expectation string or list of strings. Every problem is
 * an issue at `expect.<key>` (or `expect.<key>[i]`), so the loader reports it with the file, line and column.
 */
export const expectationsSchema = z.unknown().optional().transform((input, ctx): Expectation[] => {
  if (input === undefined || input === null) return [];
  if (typeof input !== 'object' || Array.isArray(input)) {
    ctx.issues.push({
      code: 'custom',
      input,
      message: `expected a mapping of fields to expectations (e.g. events.dropped: "== 0"), got ${Array.isArray(input) ? 'a list' : JSON.stringify(input)}`,
    });
    return [];
  }
  const out: Expectation[] = [];
  for (const [key, value] of Object.entries(input)) {
    const entries = Array.isArray(value) ? value.map((v, i) => ({ v, path: [key, i] })) : [{ v: value, path: [key] }];
    if (Array.isArray(value) && value.length === 0) {
      ctx.issues.push({ code: 'custom', input: value, path: [key], message: 'expected at least one expectation in the list' });
    }
    for (const { v, path } of entries) {
      if (typeof v !== 'string') {
        ctx.issues.push({
          code: 'custom',
          input: v,
          path,
          message: `expected an expectation string such as "< 180" or "max(5m) < 0.05" (quoted), got ${v === null ? 'nothing' : JSON.stringify(v)}`,
        });
        continue;
      }
      const parsed = parseExpectation(key, v);
      if (parsed.ok) out.push(parsed.expectation);
      else ctx.issues.push({ code: 'custom', input: v, path, message: parsed.message });
    }
  }
  return out;
});

// ---------------------------------------------------------------------------------------------------------------
// Evaluation

/** The parts of a Timeline evaluation reads, so tests can hand-build one. */
export type TimelineLike = Pick<Timeline, 'rows' | 'step' | 'columns'>;

export interface ExpectationResult {
  readonly key: string;
  /** The expectation as written, e.g. `max(5m) < 0.05`. */
  readonly expected: string;
  /** The value compared; null when the field is null in summary.json (e.g. cost per million with nothing accepted). */
  readonly actual: number | null;
  readonly pass: boolean;
  /** What `actual` is: `share of events.offered`, `worst 5m window, 10m–15m`, … */
  readonly detail?: string;
}

/** Evaluates every expectation; never throws on data (a null field fails its expectation). */
export function evaluateExpectations(expectations: readonly Expectation[], summary: Summary, timeline: TimelineLike): ExpectationResult[] {
  return expectations.map((e) => evaluateExpectation(e, summary, timeline));
}

export function evaluateExpectation(e: Expectation, summary: Summary, timeline: TimelineLike): ExpectationResult {
  const done = (actual: number | null, detail?: string): ExpectationResult => ({
    key: e.key,
    expected: e.text,
    actual,
    pass: actual !== null && compare(actual, e.op, e.threshold),
    ...(detail ? { detail } : {}),
  });
  if (e.source === 'summary') {
    const value = readSummary(summary, e.key);
    if (e.kind !== 'rate') return done(value);
    const offered = summary.events.offered;
    return done(value === null ? null : offered > 0 ? value / offered : 0, 'share of events.offered');
  }
  const series = e.key as SeriesName;
  const rows = timeline.rows;
  const seconds = rowSeconds(timeline, summary.durationSeconds);
  if (e.kind !== 'window') return done(windowValue(timeline, series, seconds, 0, rows), 'whole run');

  const width = Math.min(rows, Math.max(1, Math.ceil(e.windowSeconds / timeline.step - 1e-9)));
  const values = windowValues(timeline, series, seconds, width);
  let pick = 0;
  let actual = values[0]!;
  if (e.fn === 'avg') {
    actual = values.reduce((a, b) => a + b, 0) / values.length;
  } else {
    values.forEach((v, i) => {
      if (e.fn === 'max' ? v > actual : v < actual) {
        actual = v;
        pick = i;
      }
    });
  }
  const span = width * timeline.step;
  const label = width === rows && span < e.windowSeconds ? `whole run (shorter than ${formatDuration(e.windowSeconds)})` : `${formatDuration(span)} windows`;
  const where =
    e.fn === 'avg'
      ? `mean of ${values.length} ${label}`
      : `${e.fn === 'max' ? 'highest' : 'lowest'} of ${label}, ${formatDuration(pick * timeline.step)}–${formatDuration((pick + width) * timeline.step)}`;
  return done(actual, where);
}

export function compare(actual: number, op: Operator, threshold: number): boolean {
  switch (op) {
    case '<':
      return actual < threshold;
    case '<=':
      return actual <= threshold;
    case '>':
      return actual > threshold;
    case '>=':
      return actual >= threshold;
    case '==':
      return actual === threshold;
    case '!=':
      return actual !== threshold;
  }
}

/** A numeric field of the summary by dotted path (paths are validated when the scenario is loaded). */
export function readSummary(summary: Summary, key: string): number | null {
  const service = /^cost\.byService\.(.+)$/.exec(key)?.[1];
  let node: unknown = service !== undefined ? summary.cost.byService[service] : summary;
  if (service === undefined) for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  return typeof node === 'number' ? node : null;
}

/** Simulated seconds each row covers: the step, except a last row cut short by the scenario's end. */
function rowSeconds(timeline: TimelineLike, durationSeconds: number): Float64Array {
  const out = new Float64Array(timeline.rows);
  for (let r = 0; r < timeline.rows; r++) {
    const left = durationSeconds - r * timeline.step;
    out[r] = left > 0 ? Math.min(timeline.step, left) : timeline.step;
  }
  return out;
}

/**
 * Each row as a (numerator, denominator) pair whose sums over a window give the window's value: a ratio series is
 * Σ numerator / Σ denominator; a `sum` column becomes events per second (Σ count / Σ seconds); `mean` and `max`
 * columns are time-weighted means (Σ value·seconds / Σ seconds).
 */
function rowParts(timeline: TimelineLike, series: SeriesName, seconds: Float64Array): [Float64Array, Float64Array] {
  // Mean and max columns are rates or levels, so a row counts for as long as it lasts.
  const weighted = (column: TimelineColumn) => {
    const values = timeline.columns[column];
    return TIMELINE_COLUMNS[column] === 'sum' ? values : values.map((v, r) => v * seconds[r]!);
  };
  if (series in RATIO_SERIES) {
    const { numerator, denominator } = RATIO_SERIES[series as keyof typeof RATIO_SERIES];
    return [weighted(numerator), weighted(denominator)];
  }
  return [weighted(series as TimelineColumn), seconds];
}

function windowValue(timeline: TimelineLike, series: SeriesName, seconds: Float64Array, from: number, to: number): number {
  const [num, den] = rowParts(timeline, series, seconds);
  let n = 0;
  let d = 0;
  for (let r = from; r < to; r++) {
    n += num[r]!;
    d += den[r]!;
  }
  return d > 0 ? n / d : 0;
}

/**
 * The value of every window of `width` rows, sliding one row at a time, with running sums (O(rows)). Running sums
 * leave rounding crumbs after a burst leaves the window, so a window whose rows are all zero is read as exactly 0.
 */
function windowValues(timeline: TimelineLike, series: SeriesName, seconds: Float64Array, width: number): number[] {
  const [num, den] = rowParts(timeline, series, seconds);
  const out: number[] = [];
  let n = 0;
  let d = 0;
  let nonZero = 0;
  for (let r = 0; r < timeline.rows; r++) {
    n += num[r]!;
    d += den[r]!;
    if (num[r] !== 0) nonZero++;
    if (r >= width) {
      n -= num[r - width]!;
      d -= den[r - width]!;
      if (num[r - width] !== 0) nonZero--;
    }
    if (r >= width - 1) out.push(d > 0 && nonZero > 0 ? n / d : 0);
  }
  return out;
}
