/** Text charts for the panels: asciichart line charts of a fixed width and height, sparklines, compact axis labels. */
import asciichart from 'asciichart';

/** 1234 → "1.2k", 45000 → "45k", 2.5e6 → "2.5M": short enough for a 5-column axis. */
export function compact(x: number): string {
  const a = Math.abs(x);
  // Below what one decimal shows, a value is 0: asciichart's axis steps leave residues like -0.04, never "-0.0".
  if (a < 0.05) return '0';
  if (a < 1000) return a < 10 && a % 1 !== 0 ? x.toFixed(1) : Math.round(x).toString();
  for (const [unit, size] of [['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) {
    if (a >= size) {
      const v = x / size;
      return Math.abs(v) < 10 ? `${v.toFixed(1)}${unit}` : `${Math.round(v)}${unit}`;
    }
  }
  return String(x);
}

export const AXIS_LABEL_WIDTH = 5;

export interface LineChartOptions {
  /** Total width in columns, axis labels included. */
  width: number;
  /** Chart rows. */
  height: number;
  /** Points across the width the whole run spans (the series fill it from the left as the run goes). */
  points: number;
  /** ANSI colour per series. */
  colors?: readonly (string | undefined)[];
}

/**
 * Plots series on a zero-based axis, each line padded to `width` so the panel keeps its place while the series
 * fill up. Returns exactly `height` lines.
 */
export function lineChart(series: readonly (readonly number[])[], options: LineChartOptions): string[] {
  const { width, height } = options;
  const longest = Math.max(0, ...series.map((s) => s.length));
  if (longest === 0) {
    const blank = Array.from({ length: height }, (_, i) => `${(i === height - 1 ? '0' : '').padStart(AXIS_LABEL_WIDTH)} ┤`.padEnd(width));
    blank[Math.floor(height / 2)] = `${''.padStart(AXIS_LABEL_WIDTH)} │ waiting for the first interval…`.slice(0, width).padEnd(width);
    return blank;
  }
  const max = Math.max(1, ...series.flatMap((s) => s));
  const plotted = asciichart.plot(
    series.filter((s) => s.length > 0).map((s) => [...s]),
    {
      min: 0,
      max: max * 1.05,
      height: height - 1,
      format: (x: number) => compact(x).padStart(AXIS_LABEL_WIDTH),
      ...(options.colors ? { colors: [...options.colors] } : {}),
    },
  );
  return plotted
    .split('\n')
    .slice(0, height)
    .map((line) => padVisible(line, width));
}

/** The x axis under a chart: start and end of the run at the edges. */
export function timeAxis(width: number, start: string, end: string): string {
  const left = `${''.padStart(AXIS_LABEL_WIDTH)}  ${start}`;
  return left + end.padStart(Math.max(1, width - left.length));
}

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** The last `width` values as block characters, scaled to their own maximum; zero is a space. */
export function sparkline(values: readonly number[], width: number): string {
  const tail = values.slice(-width);
  const max = Math.max(0, ...tail);
  const line = tail.map((v) => (v <= 0 || max <= 0 ? ' ' : BLOCKS[Math.min(7, Math.floor((v / max) * 7.999))]!)).join('');
  return line.padStart(width);
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** Pads or cuts a line to `width` visible columns, ignoring ANSI colour codes. */
export function padVisible(line: string, width: number): string {
  const visible = line.replace(ANSI, '').length;
  if (visible <= width) return line + ' '.repeat(width - visible);
  // Cut by visible characters while keeping escape codes intact.
  let out = '';
  let seen = 0;
  for (let i = 0; i < line.length && seen < width; ) {
    const m = /^\x1b\[[0-9;]*m/.exec(line.slice(i));
    if (m) {
      out += m[0];
      i += m[0].length;
    } else {
      out += line[i];
      i++;
      seen++;
    }
  }
  return out + (line.includes('\x1b[') ? '\x1b[0m' : '');
}
