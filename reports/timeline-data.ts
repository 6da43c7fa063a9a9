/**
 * The timeline as the report writers read it: rows, seconds per row and one array per column. A live run's Timeline
 * fits this shape; `parseTimelineCsv` rebuilds it from a saved timeline.csv for `ingestlab report`.
 */
import { TIMELINE_COLUMN_NAMES, type TimelineColumn } from '../sim/timeline.ts';

export interface TimelineData {
  readonly rows: number;
  /** Seconds per row. */
  readonly step: number;
  readonly columns: Record<TimelineColumn, Float64Array>;
}

/**
 * Parses timeline.csv (`t` then one column per series). Columns the file lacks (an older run) are zero-filled and
 * named in `missing`; unknown columns are ignored. Throws a RangeError naming the line of a malformed row.
 */
export function parseTimelineCsv(text: string): TimelineData & { missing: TimelineColumn[] } {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = (lines[0] ?? '').split(',');
  if (header[0] !== 't') throw new RangeError(`timeline.csv: expected a header starting with "t", got "${lines[0] ?? ''}"`);
  const rows = lines.length - 1;
  const index = new Map(header.map((h, i) => [h, i]));
  const columns = Object.fromEntries(TIMELINE_COLUMN_NAMES.map((c) => [c, new Float64Array(Math.max(rows, 0))])) as Record<TimelineColumn, Float64Array>;
  const missing = TIMELINE_COLUMN_NAMES.filter((c) => !index.has(c));
  const times: number[] = [];
  for (let r = 0; r < rows; r++) {
    const cells = lines[r + 1]!.split(',');
    if (cells.length !== header.length) throw new RangeError(`timeline.csv line ${r + 2}: expected ${header.length} cells, got ${cells.length}`);
    times.push(Number(cells[0]));
    for (const c of TIMELINE_COLUMN_NAMES) {
      const i = index.get(c);
      if (i === undefined) continue;
      // An empty cell is a figure the run did not measure (a real run's timeline): NaN, as it was when written.
      const v = cells[i] === '' ? NaN : Number(cells[i]);
      if (!Number.isFinite(v) && cells[i] !== '') throw new RangeError(`timeline.csv line ${r + 2}: ${c} is not a number ("${cells[i]}")`);
      columns[c][r] = v;
    }
  }
  const step = rows >= 2 ? times[1]! - times[0]! : 1;
  return { rows, step: step > 0 ? step : 1, columns, missing };
}
