/** timeline.csv: one row per timeline step, one column per series, seconds since start first. */
import { TIMELINE_COLUMN_NAMES, type Timeline } from '../sim/timeline.ts';

export function timelineCsv(timeline: Timeline): string {
  const lines = [['t', ...TIMELINE_COLUMN_NAMES].join(',')];
  for (let r = 0; r < timeline.rows; r++) {
    const cells = [String(timeline.time(r))];
    for (const name of TIMELINE_COLUMN_NAMES) {
      // Not measured (a real run's per-minute gaps): an empty cell, never a 0.
      if (Number.isNaN(timeline.columns[name][r]!)) {
        cells.push('');
        continue;
      }
      // Three decimals; a residue like -1e-12 prints as 0, never -0.000.
      const v = Math.round(timeline.columns[name][r]! * 1000) / 1000 || 0;
      cells.push(Number.isInteger(v) ? String(v) : v.toFixed(3));
    }
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}
