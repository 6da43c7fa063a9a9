/**
 * Small hand-written SVG charts for the reports: line and step charts with axes, a legend and vertical markers, and a
 * horizontal stacked bar. No library: a chart is a pure function of its data, so the same input gives the same bytes,
 * and the SVG works inline in the HTML report and as a standalone image next to report.md (GitHub renders those).
 */

export interface Series {
  label: string;
  values: ArrayLike<number>;
  color: string;
  /** Draw as steps (capacity changes at an instant) instead of straight segments. */
  step?: boolean;
  /** Fill under the line (used for capacity, so demand above it stands out). */
  fill?: boolean;
  dash?: string;
  width?: number;
}

export interface Marker {
  x: number;
  label: string;
  color?: string;
}

export interface LineChartSpec {
  id: string;
  title: string;
  /** Positions along x (seconds since start, or swept values), one per value of every series. */
  x: ArrayLike<number>;
  series: readonly Series[];
  xLabel: string;
  yLabel: string;
  markers?: readonly Marker[];
  logX?: boolean;
  formatX?: (v: number) => string;
  formatY?: (v: number) => string;
  /** Ticks fall on round multiples of this unit (e.g. 60 for a time axis shown in minutes). */
  xUnit?: number;
  /** Legend entries per row (default 3, 230 px apart); 1 gives long labels a row each. */
  legendColumns?: number;
  width?: number;
  height?: number;
}

export const PALETTE = {
  demand: '#d6336c',
  capacity: '#1c7ed6',
  capacityFill: '#d0ebff',
  throttle: '#e8590c',
  drop: '#c92a2a',
  reject: '#862e9c',
  age: '#2b8a3e',
  marker: '#495057',
  grid: '#e9ecef',
  axis: '#868e96',
  text: '#212529',
} as const;

/** Colours for variants and services, chosen to stay apart in print and for common colour-vision deficiencies. */
export const CATEGORICAL = ['#1c7ed6', '#e8590c', '#2b8a3e', '#862e9c', '#c92a2a', '#0b7285', '#e67700', '#5c940d', '#495057', '#a61e4d'] as const;

const n = (v: number): string => (Number.isFinite(v) ? (Math.round(v * 10) / 10).toString() : '0');

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** "Nice" tick values covering [min, max]: steps of 1, 2 or 5 × 10^k. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Ticks at powers of ten (and 2, 5 between them when there are few decades). */
function logTicks(min: number, max: number): number[] {
  const out: number[] = [];
  const decades = Math.log10(max / min);
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of decades < 2 ? [1, 2, 5] : [1]) {
      const v = m * 10 ** e;
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(Number(v.toPrecision(12)));
    }
  }
  return out;
}

/** 1234 → "1.2k", 2500000 → "2.5M". */
export function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${trim(v / 1e9)}G`;
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e3) return `${trim(v / 1e3)}k`;
  if (a > 0 && a < 0.01) return v.toExponential(0);
  return trim(v);
}

function trim(v: number): string {
  return Number(v.toFixed(Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2)).toString();
}

/**
 * Reduces a series to at most `buckets` points: the max of each bucket (so a one-row burst or throttle spike stays
 * visible), or the mean. Returns the bucket start positions and values.
 */
export function downsample(x: ArrayLike<number>, values: ArrayLike<number>, buckets: number, how: 'max' | 'mean' = 'max'): { x: number[]; values: number[] } {
  const len = values.length;
  if (len <= buckets) return { x: Array.from(x), values: Array.from(values) };
  const xs: number[] = [];
  const vs: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * len) / buckets);
    const to = Math.max(from + 1, Math.floor(((b + 1) * len) / buckets));
    let acc = how === 'max' ? -Infinity : 0;
    for (let i = from; i < to; i++) acc = how === 'max' ? Math.max(acc, values[i]!) : acc + values[i]!;
    xs.push(x[from]!);
    vs.push(how === 'max' ? acc : acc / (to - from));
  }
  return { x: xs, values: vs };
}

/** The opening of every chart: the <svg> element, its accessible title, a white background and the visible title. */
function svgOpening(id: string, title: string, W: number, H: number, titleX: number): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="${escapeXml(id)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="${escapeXml(id)}-title" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="11">`,
    `<title id="${escapeXml(id)}-title">${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${titleX}" y="16" font-size="13" font-weight="600" fill="${PALETTE.text}">${escapeXml(title)}</text>`,
  ];
}

/** A line/step chart with axes, grid, legend and vertical markers, as one `<svg>` element. */
export function lineChart(spec: LineChartSpec): string {
  const W = spec.width ?? 760;
  const H = spec.height ?? 260;
  const legendColumns = Math.max(1, spec.legendColumns ?? 3);
  const legendRows = Math.ceil(spec.series.length / legendColumns);
  const M = { left: 64, right: 18, top: 34 + legendRows * 16, bottom: 44 };
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const xs = Array.from(spec.x);
  const fx = spec.formatX ?? compact;
  const fy = spec.formatY ?? compact;
  const xMin = xs.length ? Math.min(...xs) : 0;
  let xMax = xs.length ? Math.max(...xs) : 1;
  if (xMax === xMin) xMax = xMin + 1;
  let yMax = 0;
  for (const s of spec.series) for (let i = 0; i < s.values.length; i++) if (Number.isFinite(s.values[i]!)) yMax = Math.max(yMax, s.values[i]!);
  if (yMax <= 0) yMax = 1;
  const yTicks = niceTicks(0, yMax * 1.05, 4);
  const yTop = Math.max(yTicks.at(-1)!, yMax);
  const logX = Boolean(spec.logX) && xMin > 0;
  const sx = (v: number) =>
    M.left + (logX ? (Math.log10(v) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin)) : (v - xMin) / (xMax - xMin)) * pw;
  const sy = (v: number) => M.top + ph - (Math.max(0, v) / yTop) * ph;
  const out: string[] = [];
  out.push(...svgOpening(spec.id, spec.title, W, H, M.left));
  // Legend: capacity-like series show their fill swatch, markers their dashed line.
  const legend = [...spec.series.map((s) => ({ label: s.label, color: s.color, dash: s.dash, fill: s.fill })), ...(spec.markers?.length ? [{ label: 'scaling action', color: PALETTE.marker, dash: '3 3', fill: false }] : [])];
  legend.forEach((l, i) => {
    const lx = M.left + (i % legendColumns) * 230;
    const ly = 30 + Math.floor(i / legendColumns) * 16;
    if (l.fill) out.push(`<rect x="${lx}" y="${ly - 8}" width="22" height="10" fill="${PALETTE.capacityFill}" stroke="${l.color}" stroke-width="2"/>`);
    else out.push(`<line x1="${lx}" y1="${ly - 3}" x2="${lx + 22}" y2="${ly - 3}" stroke="${l.color}" stroke-width="2.5"${l.dash ? ` stroke-dasharray="${l.dash}"` : ''}/>`);
    out.push(`<text x="${lx + 28}" y="${ly}" fill="${PALETTE.text}">${escapeXml(l.label)}</text>`);
  });
  // Grid and axes.
  const unit = spec.xUnit ?? 1;
  const xTicks = logX ? logTicks(xMin, xMax) : niceTicks(xMin / unit, xMax / unit, 6).map((t) => t * unit);
  out.push(...axes({ M, pw, ph, H, xTicks, yTicks, sx, sy, fx, fy, xLabel: spec.xLabel, yLabel: spec.yLabel }));
  // Fills first, then lines, so every line stays visible.
  for (const s of spec.series) if (s.fill) out.push(`<path class="area" d="${areaPath(xs, s, sx, sy, M.top + ph)}" fill="${PALETTE.capacityFill}" stroke="none"/>`);
  for (const s of spec.series) {
    out.push(
      `<path class="series" data-label="${escapeXml(s.label)}" d="${linePath(xs, s, sx, sy)}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 2}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} stroke-linejoin="round"/>`,
    );
  }
  for (const [i, m] of (spec.markers ?? []).entries()) {
    if (m.x < xMin || m.x > xMax) continue;
    const x = n(sx(m.x));
    out.push(`<line class="marker" x1="${x}" y1="${M.top}" x2="${x}" y2="${M.top + ph}" stroke="${m.color ?? PALETTE.marker}" stroke-dasharray="3 3"/>`);
    // Labels alternate between two rows so neighbouring actions do not overprint.
    out.push(`<text x="${n(Number(x) + 3)}" y="${M.top + 10 + (i % 2) * 12}" fill="${m.color ?? PALETTE.marker}" font-size="10">${escapeXml(m.label)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n');
}

/** The series as a path; a value that is not a number (a disqualified sweep point, a null) leaves a gap. */
/** Grid lines and tick labels on both axes, the axis lines and their labels: the frame line and scatter charts share. */
function axes(f: {
  M: { left: number; top: number };
  pw: number;
  ph: number;
  H: number;
  xTicks: readonly number[];
  yTicks: readonly number[];
  sx: (v: number) => number;
  sy: (v: number) => number;
  fx: (v: number) => string;
  fy: (v: number) => string;
  xLabel: string;
  yLabel: string;
}): string[] {
  const { M, pw, ph, H } = f;
  const out: string[] = [];
  for (const t of f.yTicks) {
    const y = n(f.sy(t));
    out.push(`<line x1="${M.left}" y1="${y}" x2="${M.left + pw}" y2="${y}" stroke="${PALETTE.grid}"/>`);
    out.push(`<text x="${M.left - 6}" y="${y}" dy="3.5" text-anchor="end" fill="${PALETTE.axis}">${escapeXml(f.fy(t))}</text>`);
  }
  for (const t of f.xTicks) {
    const x = n(f.sx(t));
    out.push(`<line x1="${x}" y1="${M.top + ph}" x2="${x}" y2="${M.top + ph + 4}" stroke="${PALETTE.axis}"/>`);
    out.push(`<text x="${x}" y="${M.top + ph + 16}" text-anchor="middle" fill="${PALETTE.axis}">${escapeXml(f.fx(t))}</text>`);
  }
  out.push(`<line x1="${M.left}" y1="${M.top + ph}" x2="${M.left + pw}" y2="${M.top + ph}" stroke="${PALETTE.axis}"/>`);
  out.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + ph}" stroke="${PALETTE.axis}"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 6}" text-anchor="middle" fill="${PALETTE.text}">${escapeXml(f.xLabel)}</text>`);
  out.push(`<text transform="translate(14 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="${PALETTE.text}">${escapeXml(f.yLabel)}</text>`);
  return out;
}

function linePath(xs: number[], s: Series, sx: (v: number) => number, sy: (v: number) => number): string {
  const parts: string[] = [];
  let run = 0;
  for (let i = 0; i < s.values.length && i < xs.length; i++) {
    const v = s.values[i]!;
    if (!Number.isFinite(v)) {
      if (run === 1) parts.push('h1');
      run = 0;
      continue;
    }
    const x = n(sx(xs[i]!));
    const y = n(sy(v));
    if (run === 0) parts.push(`M${x},${y}`);
    else if (s.step) parts.push(`H${x}V${y}`);
    else parts.push(`L${x},${y}`);
    run++;
  }
  // A lone point would draw nothing: a one-unit tick shows it.
  if (run === 1) parts.push('h1');
  return parts.length ? parts.join('') : `M${n(sx(xs[0] ?? 0))},${n(sy(0))}`;
}

function areaPath(xs: number[], s: Series, sx: (v: number) => number, sy: (v: number) => number, base: number): string {
  // From the baseline up to the first point, along the line, then back down to the baseline.
  const line = linePath(xs, s, sx, sy);
  return `M${n(sx(xs[0] ?? 0))},${n(base)}L${line.slice(1)}V${n(base)}Z`;
}

export interface BarSegment {
  label: string;
  value: number;
  color: string;
}

export interface StackedBarSpec {
  id: string;
  title: string;
  bars: readonly { label: string; segments: readonly BarSegment[] }[];
  format: (v: number) => string;
  width?: number;
}

/** Horizontal stacked bars (one per run or variant), a legend of segments, and each bar's total at its end. */
/** Widest advance of an 11 px sans-serif character, averaged over lower-case text, in the fonts a viewer may have. */
const BAR_LABEL_CHAR_PX = 7.2;

export function stackedBars(spec: StackedBarSpec): string {
  const W = spec.width ?? 760;
  // 11 px sans-serif runs up to ~7.2 px a character in wide fonts (DejaVu's "m" is 10.7): size the label column for
  // that, so "ondemand" is not cut off on the left; longer labels than the column holds end in an ellipsis.
  const labelW = Math.min(240, 16 + BAR_LABEL_CHAR_PX * Math.max(4, ...spec.bars.map((b) => b.label.length)));
  const fit = (label: string) => {
    const chars = Math.floor((labelW - 16) / BAR_LABEL_CHAR_PX + 1e-9);
    return label.length <= chars ? label : `${label.slice(0, chars - 1)}…`;
  };
  const legend = new Map<string, string>();
  for (const b of spec.bars) for (const s of b.segments) if (s.value > 0 && !legend.has(s.label)) legend.set(s.label, s.color);
  const legendRows = Math.ceil(legend.size / 4);
  const top = 30 + legendRows * 16;
  const barH = 22;
  const H = top + spec.bars.length * (barH + 10) + 10;
  const max = Math.max(1e-12, ...spec.bars.map((b) => b.segments.reduce((a, s) => a + Math.max(0, s.value), 0)));
  const pw = W - labelW - 90;
  const out: string[] = [];
  out.push(...svgOpening(spec.id, spec.title, W, H, 8));
  [...legend].forEach(([label, color], i) => {
    const lx = 8 + (i % 4) * 180;
    const ly = 32 + Math.floor(i / 4) * 16;
    out.push(`<rect x="${lx}" y="${ly - 9}" width="12" height="10" fill="${color}"/>`);
    out.push(`<text x="${lx + 17}" y="${ly}" fill="${PALETTE.text}">${escapeXml(label)}</text>`);
  });
  spec.bars.forEach((b, i) => {
    const y = top + 4 + i * (barH + 10);
    out.push(`<text x="${n(labelW - 8)}" y="${y + barH / 2 + 4}" text-anchor="end" fill="${PALETTE.text}">${escapeXml(fit(b.label))}<title>${escapeXml(b.label)}</title></text>`);
    let x = labelW;
    let total = 0;
    for (const s of b.segments) {
      if (!(s.value > 0)) continue;
      const w = (s.value / max) * pw;
      out.push(`<path class="segment" d="M${n(x)},${y}h${n(Math.max(w, 0.5))}v${barH}h${n(-Math.max(w, 0.5))}Z" fill="${s.color}"><title>${escapeXml(`${s.label}: ${spec.format(s.value)}`)}</title></path>`);
      x += w;
      total += s.value;
    }
    out.push(`<text x="${n(x + 6)}" y="${y + barH / 2 + 4}" fill="${PALETTE.text}">${escapeXml(spec.format(total))}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

export interface ScatterPoint {
  x: number;
  y: number;
  color: string;
  /** Drawn as a ring instead of a dot (e.g. a configuration that fails its expectations). */
  hollow?: boolean;
  /** Shown on hover in the HTML. */
  title?: string;
}

export interface ScatterSpec {
  id: string;
  title: string;
  points: readonly ScatterPoint[];
  /** A line through these points in order (e.g. a Pareto frontier), drawn under the dots. */
  line?: readonly { x: number; y: number }[];
  lineColor?: string;
  legend: readonly { label: string; color: string; hollow?: boolean; line?: boolean }[];
  xLabel: string;
  yLabel: string;
  formatX?: (v: number) => string;
  formatY?: (v: number) => string;
  width?: number;
  height?: number;
}

/** Dots on two linear axes (both starting at the data's minimum, y at 0 when all are ≥ 0), a legend and an optional line. */
export function scatterChart(spec: ScatterSpec): string {
  const W = spec.width ?? 760;
  const H = spec.height ?? 300;
  const legendRows = Math.ceil(spec.legend.length / 3);
  const M = { left: 64, right: 18, top: 34 + legendRows * 16, bottom: 44 };
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const pts = spec.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const fx = spec.formatX ?? compact;
  const fy = spec.formatY ?? compact;
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  let xMin = xs.length ? Math.min(...xs) : 0;
  let xMax = xs.length ? Math.max(...xs) : 1;
  const pad = (xMax - xMin) * 0.05 || Math.abs(xMax) * 0.05 || 1;
  xMin -= pad;
  xMax += pad;
  const yMax0 = ys.length ? Math.max(...ys) : 1;
  const yMin = ys.length && Math.min(...ys) < 0 ? Math.min(...ys) : 0;
  const yTicks = niceTicks(yMin, (yMax0 > yMin ? yMax0 : yMin + 1) * 1.05, 4);
  const yTop = Math.max(yTicks.at(-1)!, yMax0);
  const sx = (v: number) => M.left + ((v - xMin) / (xMax - xMin)) * pw;
  const sy = (v: number) => M.top + ph - ((v - yMin) / (yTop - yMin || 1)) * ph;
  const out: string[] = [];
  out.push(...svgOpening(spec.id, spec.title, W, H, M.left));
  spec.legend.forEach((l, i) => {
    const lx = M.left + (i % 3) * 230;
    const ly = 30 + Math.floor(i / 3) * 16;
    if (l.line) out.push(`<line x1="${lx}" y1="${ly - 3}" x2="${lx + 22}" y2="${ly - 3}" stroke="${l.color}" stroke-width="2"/>`);
    else out.push(`<circle cx="${lx + 11}" cy="${ly - 3}" r="4" fill="${l.hollow ? '#fff' : l.color}" stroke="${l.color}" stroke-width="1.5"/>`);
    out.push(`<text x="${lx + 28}" y="${ly}" fill="${PALETTE.text}">${escapeXml(l.label)}</text>`);
  });
  out.push(...axes({ M, pw, ph, H, xTicks: niceTicks(xMin, xMax, 6), yTicks, sx, sy, fx, fy, xLabel: spec.xLabel, yLabel: spec.yLabel }));
  const line = (spec.line ?? []).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (line.length > 0) {
    const d = line.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(sx(p.x))},${n(sy(p.y))}`).join('');
    out.push(`<path class="series" d="${d}" fill="none" stroke="${spec.lineColor ?? PALETTE.marker}" stroke-width="1.5" stroke-linejoin="round"/>`);
  }
  for (const p of pts) {
    out.push(
      `<circle class="point" cx="${n(sx(p.x))}" cy="${n(sy(p.y))}" r="4" fill="${p.hollow ? '#fff' : p.color}" stroke="${p.color}" stroke-width="1.5">${p.title ? `<title>${escapeXml(p.title)}</title>` : ''}</circle>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}

/** A time axis in the unit that suits a run's length: minutes up to 3 h, hours up to 4 days, then days. */
export function timeAxis(durationSeconds: number, label = 'time since start'): { unit: number; label: string; format: (v: number) => string } {
  if (durationSeconds <= 3 * 3600) return { unit: 60, label: `${label} (minutes)`, format: (v) => compact(v / 60) };
  if (durationSeconds <= 4 * 86_400) return { unit: 3600, label: `${label} (hours)`, format: (v) => compact(v / 3600) };
  return { unit: 86_400, label: `${label} (days)`, format: (v) => compact(v / 86_400) };
}
