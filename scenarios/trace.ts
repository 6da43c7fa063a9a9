/**
 * Traffic from real metrics: a trace file (a CSV with a header row, or the JSON `aws cloudwatch get-metric-data`
 * prints) becomes a rate series: events/s per period, each period's sum divided by its length. Pure: text in, series
 * out; every problem is a TraceError with the line and column in the trace file. The loader (load.ts) reads the file.
 *
 * - CSV: a header row, then one row per period: a timestamp (ISO 8601, or epoch seconds or milliseconds) and value
 *   columns. `column` picks a value column by its header (default the first). Lines starting with # are comments.
 * - JSON: `MetricDataResults[]` with `Timestamps` and `Values` (newest first, as the CLI prints them by default);
 *   `column` picks a result by `Id` or `Label` (default the first). `aws cloudwatch get-metric-statistics` output
 *   (`Datapoints` of `{ Timestamp, Sum }`) is read too; there `column` names the statistic (default `Sum`).
 *
 * The period is the smallest step between timestamps; every step must be a whole number of periods, and the periods
 * a step skips (CloudWatch prints no datapoint for a minute without data) had no events. An empty CSV cell is 0 too.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { RateSeries } from '../sim/traffic.ts';

export class TraceError extends Error {
  override name = 'TraceError';
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

export interface TraceOptions {
  /** A value column (CSV header) or a result's Id or Label (JSON); default the first. */
  readonly column?: string;
  /** `json` for get-metric-data output; by default, JSON when the text starts with `{`, else CSV. */
  readonly format?: 'csv' | 'json';
}

export function parseTrace(text: string, options: TraceOptions = {}): RateSeries {
  const format = options.format ?? (text.trimStart().startsWith('{') ? 'json' : 'csv');
  return format === 'json' ? parseJsonTrace(text, options.column) : parseCsvTrace(text, options.column);
}

interface Point {
  readonly seconds: number;
  readonly value: number;
  readonly line: number;
  readonly column: number;
}

/** Seconds since the epoch from an ISO 8601 timestamp or a number (epoch seconds, or milliseconds when above 10¹¹). */
function timestampSeconds(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    return n > 1e11 ? n / 1000 : n;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

function splitCsv(line: string): { text: string; column: number }[] {
  const cells: { text: string; column: number }[] = [];
  let start = 0;
  for (let i = 0; i <= line.length; i++) {
    if (i === line.length || line[i] === ',') {
      const raw = line.slice(start, i);
      cells.push({ text: raw.trim().replace(/^"(.*)"$/, '$1'), column: start + 1 + (raw.length - raw.trimStart().length) });
      start = i + 1;
    }
  }
  return cells;
}

function parseCsvTrace(text: string, column: string | undefined): RateSeries {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  let header: { text: string; column: number }[] | undefined;
  let headerLine = 0;
  let pick = 1;
  const points: Point[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const cells = splitCsv(line);
    if (!header) {
      header = cells;
      headerLine = i + 1;
      if (cells.length < 2) throw new TraceError(i + 1, 1, `expected a header row: a timestamp column, then value columns (e.g. "Timestamp,IncomingRecords"), got "${line.trim()}"`);
      if (timestampSeconds(cells[0]!.text) !== undefined) throw new TraceError(i + 1, 1, `expected a header row first (e.g. "Timestamp,IncomingRecords"), got data "${line.trim()}"`);
      if (column !== undefined) {
        pick = cells.findIndex((c, k) => k > 0 && c.text === column);
        if (pick < 0) throw new TraceError(i + 1, 1, `no column "${column}"; the value columns are ${cells.slice(1).map((c) => `"${c.text}"`).join(', ')}`);
      }
      continue;
    }
    if (cells.length !== header.length) throw new TraceError(i + 1, 1, `expected ${header.length} cells as in the header (line ${headerLine}), got ${cells.length}`);
    const ts = cells[0]!;
    const seconds = timestampSeconds(ts.text);
    if (seconds === undefined) throw new TraceError(i + 1, ts.column, `expected a timestamp (ISO 8601 such as 2024-11-29T00:00:00Z, or epoch seconds), got "${ts.text}"`);
    const cell = cells[pick]!;
    const value = cell.text === '' ? 0 : Number(cell.text);
    if (!Number.isFinite(value) || value < 0) throw new TraceError(i + 1, cell.column, `expected a number ≥ 0 (the ${header[pick]!.text} sum for the period), got "${cell.text}"`);
    points.push({ seconds, value, line: i + 1, column: ts.column });
  }
  if (!header) throw new TraceError(1, 1, 'the trace is empty: expected a header row and at least two rows of data');
  return series(points, 'ascending', headerLine);
}

function parseJsonTrace(text: string, column: string | undefined): RateSeries {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const pos = (node: Node | null | undefined) => counter.linePos(node?.range?.[0] ?? 0);
  const fail = (node: Node | null | undefined, message: string): never => {
    const { line, col } = pos(node);
    throw new TraceError(line, col, message);
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const { line, col } = counter.linePos(e.pos[0]);
    throw new TraceError(line, col, `invalid JSON: ${e.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (!isMap(root)) return fail(root, 'expected the JSON that `aws cloudwatch get-metric-data` prints: an object with MetricDataResults');
  if (root.has('Datapoints')) return statisticsTrace(root.get('Datapoints', true), column, fail, pos);
  const results = root.get('MetricDataResults', true);
  if (!isSeq(results)) return fail(results ?? root, 'expected MetricDataResults: a list of { Id, Label, Timestamps, Values }');
  if (results.items.length === 0) return fail(results, 'MetricDataResults is empty: the query returned no metric');
  const names = results.items.map((r) => (isMap(r) ? `${String(r.get('Id'))}${r.get('Label') !== undefined ? ` (${String(r.get('Label'))})` : ''}` : '?'));
  const result = column === undefined ? results.items[0] : results.items.find((r) => isMap(r) && (r.get('Id') === column || r.get('Label') === column));
  if (!result) return fail(results, `no result with Id or Label "${column}"; the results are ${names.join(', ')}`);
  if (!isMap(result)) return fail(result as Node, 'expected a result: { Id, Label, Timestamps, Values }');
  const timestamps = result.get('Timestamps', true);
  const values = result.get('Values', true);
  if (!isSeq(timestamps)) return fail(timestamps ?? result, 'expected Timestamps: a list of ISO 8601 timestamps');
  if (!isSeq(values)) return fail(values ?? result, 'expected Values: a list of numbers (the Sum for each timestamp)');
  if (timestamps.items.length !== values.items.length) return fail(values, `expected as many Values as Timestamps (${timestamps.items.length}), got ${values.items.length}`);
  const points: Point[] = timestamps.items.map((t, k) => {
    const v = values.items[k] as Node;
    const ts = isScalar(t) ? timestampSeconds(String(t.value)) : undefined;
    if (ts === undefined) fail(t as Node, `expected an ISO 8601 timestamp, got ${isScalar(t) ? JSON.stringify(t.value) : 'a collection'}`);
    const value = isScalar(v) ? v.value : undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(v, `expected a number ≥ 0 (the Sum for the period), got ${isScalar(v) ? JSON.stringify(v.value) : 'a collection'}`);
    const { line, col } = pos(t as Node);
    return { seconds: ts!, value: value as number, line, column: col };
  });
  return series(points, 'any', pos(timestamps).line);
}

/** `aws cloudwatch get-metric-statistics --statistics Sum` output: Datapoints of { Timestamp, Sum } in any order. */
function statisticsTrace(
  datapoints: unknown,
  column: string | undefined,
  fail: (node: Node | null | undefined, message: string) => never,
  pos: (node: Node | null | undefined) => { line: number; col: number },
): RateSeries {
  if (!isSeq(datapoints)) return fail(datapoints as Node, 'expected Datapoints: a list of { Timestamp, Sum }');
  const stat = column ?? 'Sum';
  const points: Point[] = datapoints.items.map((d) => {
    if (!isMap(d)) return fail(d as Node, 'expected a datapoint: { Timestamp, Sum }');
    const t = d.get('Timestamp', true);
    const v = d.get(stat, true);
    const ts = isScalar(t) ? timestampSeconds(String(t.value)) : undefined;
    if (ts === undefined) fail((t ?? d) as Node, 'expected Timestamp: an ISO 8601 timestamp');
    if (!isScalar(v) || typeof v.value !== 'number' || !Number.isFinite(v.value) || v.value < 0) fail((v ?? d) as Node, `expected ${stat}: a number ≥ 0 (ask for --statistics ${stat})`);
    const { line, col } = pos(t as Node);
    return { seconds: ts!, value: (v as { value: number }).value, line, column: col };
  });
  return series(points, 'any', pos(datapoints).line);
}

/** Points (sums per period) → events/s per period from the first timestamp; skipped periods are zero. */
function series(points: Point[], order: 'ascending' | 'any', headerLine: number): RateSeries {
  if (points.length < 2) throw new TraceError(points[0]?.line ?? headerLine, 1, `expected at least two datapoints (the period is the step between timestamps), got ${points.length}`);
  let sorted = points;
  if (order === 'any') sorted = [...points].sort((a, b) => a.seconds - b.seconds);
  for (let k = 1; k < sorted.length; k++) {
    const p = sorted[k]!;
    if (p.seconds <= sorted[k - 1]!.seconds) {
      throw new TraceError(p.line, p.column, p.seconds === sorted[k - 1]!.seconds ? `timestamp repeats the one on line ${sorted[k - 1]!.line}` : `timestamps must increase: this one is before line ${sorted[k - 1]!.line}'s`);
    }
  }
  let period = Infinity;
  for (let k = 1; k < sorted.length; k++) period = Math.min(period, sorted[k]!.seconds - sorted[k - 1]!.seconds);
  const start = sorted[0]!.seconds;
  const periods = Math.round((sorted.at(-1)!.seconds - start) / period) + 1;
  const eventsPerSecond = new Array<number>(periods).fill(0);
  for (const p of sorted) {
    const slot = (p.seconds - start) / period;
    if (Math.abs(slot - Math.round(slot)) > 1e-6) {
      throw new TraceError(p.line, p.column, `timestamp is not a whole number of periods (${period} s, the smallest step) after the first; expected evenly spaced datapoints`);
    }
    eventsPerSecond[Math.round(slot)] = p.value / period;
  }
  return { periodSeconds: period, eventsPerSecond };
}

/** The events a series offers in total: Σ rate × period. */
export function seriesTotal(s: RateSeries): number {
  return s.eventsPerSecond.reduce((a, r) => a + r * s.periodSeconds, 0);
}
