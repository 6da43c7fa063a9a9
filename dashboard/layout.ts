/**
 * Sizes of the panels for a terminal. The 80×24 layout is the floor; wider terminals widen the charts and the
 * stat columns, taller ones give rows to the charts first, then to the scaling log and the expectations.
 *
 * The frame stays one line shorter than the terminal: when Ink's output is as tall as the screen it clears the
 * whole screen on every frame, which is what makes full-screen Ink apps flicker.
 */
import { AXIS_LABEL_WIDTH } from './chart.ts';

export interface Layout {
  readonly width: number;
  /** Width of each of the two charts (side by side, one column apart). */
  readonly chartWidth: number;
  /** Rows of the plot itself (title, values and time axis come on top). */
  readonly chartHeight: number;
  /** Points each chart spans across its width. */
  readonly chartPoints: number;
  readonly leftWidth: number;
  readonly rightWidth: number;
  readonly sparkWidth: number;
  readonly logLines: number;
  readonly expectationLines: number;
  /** Total lines of the frame. */
  readonly height: number;
}

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

/** Lines of the frame at the minimum size when the charts and log get no extra rows. */
const FIXED_LINES = 1 + 1 + 3 + 1 + 5 + 1 + 1; // header, gap, chart title/values/axis, gap, stats, log title, keys

export function layoutFor(columns: number, rows: number): Layout {
  const width = Math.max(MIN_COLUMNS, Math.floor(columns));
  const height = Math.max(MIN_ROWS, Math.floor(rows)) - 1;
  const chartWidth = Math.floor((width - 1) / 2);
  const rightWidth = Math.min(48, Math.max(39, Math.floor(width * 0.4)));
  const leftWidth = width - rightWidth - 2;
  let spare = height - FIXED_LINES - 6 - 3 - 1; // at the floor: a 6-line plot, a 3-line scaling log, 1 line of expectations
  const chartExtra = Math.min(Math.max(0, spare), 12);
  spare -= chartExtra;
  const logExtra = Math.min(Math.max(0, spare), 9);
  spare -= logExtra;
  const expectationExtra = Math.min(Math.max(0, spare), 2);
  const chartHeight = 6 + chartExtra;
  const logLines = 3 + logExtra;
  const expectationLines = 1 + expectationExtra;
  return {
    width,
    chartWidth,
    chartHeight,
    chartPoints: Math.max(10, chartWidth - AXIS_LABEL_WIDTH - 2),
    leftWidth,
    rightWidth,
    sparkWidth: Math.max(8, leftWidth - 30),
    logLines,
    expectationLines,
    height: FIXED_LINES + chartHeight + logLines + expectationLines,
  };
}
