/**
 * The "Simulator vs real pipeline" section of a `scenario --compare` run's report (issue 12, item 3): the fidelity
 * table (loadgen/fidelity.ts) and, per series both engines measure over time, one chart with both curves: the
 * simulator's timeline summed into the real run's rows (sim-timeline.csv) against the real run's timeline.csv (the
 * quota gateway's CloudWatch minutes, in scenario time). Pure: `(fidelity, timelines) => blocks`.
 */
import { FIDELITY_THRESHOLD, fidelityDifference, fidelityValue, type Fidelity } from '../loadgen/fidelity.ts';
import { TIMELINE_COLUMNS, TIMELINE_COLUMN_NAMES, Timeline, type TimelineColumn } from '../sim/timeline.ts';
import type { Block, Chart } from './doc.ts';
import { seconds } from './format.ts';
import { CATEGORICAL, downsample, lineChart, timeAxis } from './svg-chart.ts';
import type { TimelineData } from './timeline-data.ts';

/** The files a compare run adds to its folder, beside summary.json and timeline.csv (the real run's). */
export const FIDELITY_FILE = 'fidelity.json';
export const SIM_TIMELINE_FILE = 'sim-timeline.csv';

export interface FidelitySection {
  readonly fidelity: Fidelity;
  /** The simulator's timeline at the rows of sim-timeline.csv; absent for a run saved before that file existed. */
  readonly sim?: TimelineData;
  /** The real run's timeline as timeline.csv holds it, when it differs from the report's own (see writeRun). */
  readonly real?: TimelineData;
}

/**
 * `t` (rows of t.step seconds over `duration`) re-cut into rows of `step` seconds, each column combined as the
 * simulator combines ticks (TIMELINE_COLUMNS): sums are split in proportion to the overlap of the rows, means are
 * weighted by it, maxima are taken over every row that overlaps. A NaN (not measured) stays NaN.
 */
export function resampleTimeline(t: TimelineData, duration: number, step: number): Timeline {
  const out = new Timeline(duration, step);
  for (const c of TIMELINE_COLUMN_NAMES) {
    const kind = TIMELINE_COLUMNS[c];
    const src = t.columns[c];
    const dst = out.columns[c];
    for (let R = 0; R < out.rows; R++) {
      const from = R * step;
      const to = Math.min(duration, from + step);
      let acc = kind === 'max' ? -Infinity : 0;
      let weight = 0;
      for (let r = Math.max(0, Math.floor(from / t.step + 1e-9)); r < t.rows && r * t.step < to; r++) {
        const start = r * t.step;
        const span = Math.min(t.step, duration - start);
        const overlap = Math.min(to, start + span) - Math.max(from, start);
        if (!(overlap > 0)) continue;
        const v = src[r]!;
        if (kind === 'sum') acc += v * (overlap / span);
        else if (kind === 'mean') acc += v * overlap;
        else acc = Number.isNaN(v) || Number.isNaN(acc) ? NaN : Math.max(acc, v);
        weight += overlap;
      }
      dst[R] = weight === 0 ? NaN : kind === 'mean' ? acc / weight : acc;
    }
  }
  return out;
}

/** The series charted sim vs real, when both measured them: per-minute sums, and the shard count. */
const SERIES: ReadonlyArray<{ id: string; column: TimelineColumn; title: string; yLabel: string; perMinute: boolean }> = [
  { id: 'fidelity-offered', column: 'offered', title: 'Offered events per minute, simulator vs real', yLabel: 'events per minute', perMinute: true },
  { id: 'fidelity-accepted', column: 'accepted', title: 'Accepted events per minute (entered Kinesis), simulator vs real', yLabel: 'events per minute', perMinute: true },
  { id: 'fidelity-kinesis-throttled', column: 'kinesisThrottled', title: 'Kinesis throttled records per minute, simulator vs real', yLabel: 'records per minute', perMinute: true },
  { id: 'fidelity-shards', column: 'shards', title: 'Kinesis shards (most in each minute), simulator vs real', yLabel: 'shards', perMinute: false },
  { id: 'fidelity-dynamodb-throttled', column: 'ddbThrottled', title: 'DynamoDB throttled writes per minute, simulator vs real', yLabel: 'requests per minute', perMinute: true },
];

export const SIM_COLOR = CATEGORICAL[0];
export const REAL_COLOR = CATEGORICAL[1];

/** How the real run was paced, in words; undefined when it ran at the scenario's own pace with every event sent. */
export function compressionText(f: Pick<Fidelity, 'timeScale' | 'sample'>): string | undefined {
  if (f.timeScale === 1 && f.sample === 1) return undefined;
  const parts: string[] = [];
  if (f.timeScale !== 1) parts.push(`compressed ${+f.timeScale.toFixed(6)}× (each wall second stood for ${+f.timeScale.toFixed(6)} scenario seconds)`);
  if (f.sample !== 1) {
    const n = 1 / f.sample;
    const whole = Math.abs(n - Math.round(n)) < 1e-6;
    parts.push(`sampled (${whole ? `1 in ${Math.round(n)}` : `a fraction ${+f.sample.toFixed(6)} of the`} events sent, each counted ${whole ? Math.round(n) : +n.toFixed(6)} times)`);
  }
  return parts.join(' and ');
}

/** The real curve's legend label: which target, and how it was paced. */
export function realLabel(f: Pick<Fidelity, 'target' | 'timeScale' | 'sample'>): string {
  const pace = [f.timeScale !== 1 ? `${+f.timeScale.toFixed(6)}× compressed` : '', f.sample !== 1 ? `sample ${+f.sample.toFixed(4)}` : ''].filter(Boolean).join(', ');
  return `real ${f.target} pipeline${pace ? ` (${pace})` : ''}`;
}

export function simLabel(f: Pick<Fidelity, 'seed'>): string {
  return `simulator (seed ${f.seed})`;
}

/** A column per minute (sums) or as it is (maxima), per row of `t`; a last, partial row is scaled by its own length. */
function perRow(t: TimelineData, column: TimelineColumn, perMinute: boolean, duration: number): number[] {
  return Array.from(t.columns[column], (v, r) => (perMinute ? (v * 60) / Math.max(1e-9, Math.min(t.step, duration - r * t.step)) : v));
}

const measured = (t: TimelineData, column: TimelineColumn) => t.rows > 0 && t.columns[column].some((v) => Number.isFinite(v));

/** One chart per series both timelines measured, both curves on it; and what was left out, and why. */
export function fidelityCharts(
  f: Fidelity,
  simTimeline: TimelineData,
  realTimeline: TimelineData,
  duration: number,
  maxPoints = 600,
): { charts: Chart[]; notCharted: string[]; step: number } {
  // A one-row timeline covers the whole run (a timeline.csv of one row does not say its row length).
  const whole = (t: TimelineData): TimelineData => (t.rows === 1 && t.step < duration ? { rows: 1, step: duration, columns: t.columns } : t);
  simTimeline = whole(simTimeline);
  realTimeline = whole(realTimeline);
  // Both on the coarser of the two row lengths (the real run's minutes unless the simulator's rows are longer).
  const step = Math.max(simTimeline.step, realTimeline.step);
  const sim = simTimeline.step === step ? simTimeline : resampleTimeline(simTimeline, duration, step);
  const real = realTimeline.step === step ? realTimeline : resampleTimeline(realTimeline, duration, step);
  const rows = Math.min(sim.rows, real.rows);
  const axis = timeAxis(duration, 'scenario time since start');
  const x = Array.from({ length: rows }, (_, r) => r * step);
  const charts: Chart[] = [];
  const notCharted: string[] = [];
  const pace = compressionText(f);
  for (const s of SERIES) {
    if (!measured(real, s.column)) {
      notCharted.push(`${s.title.replace(/, simulator vs real$/, '')}: not measured per minute on the real run`);
      continue;
    }
    if (!measured(sim, s.column)) continue;
    // Each row's value holds over its row: steps, closed by a last point at the end of the scenario.
    const closed = (values: number[]) => {
      const d = downsample(x, values.slice(0, rows), maxPoints, 'max');
      return { x: [...d.x, duration], values: [...d.values, d.values.at(-1) ?? NaN] };
    };
    const simValues = closed(perRow(sim, s.column, s.perMinute, duration));
    const realValues = closed(perRow(real, s.column, s.perMinute, duration));
    charts.push({
      id: s.id,
      title: s.title,
      svg: lineChart({
        id: s.id,
        title: s.title,
        x: simValues.x,
        // The real curve first, solid and wider; the simulator's dashed over it, so both show where they coincide.
        series: [
          { label: realLabel(f), values: realValues.values, color: REAL_COLOR, step: true, width: 3 },
          { label: simLabel(f), values: simValues.values, color: SIM_COLOR, step: true, dash: '6 4', width: 2 },
        ],
        xLabel: axis.label,
        yLabel: s.yLabel,
        formatX: axis.format,
        xUnit: axis.unit,
        legendColumns: 1,
      }),
      caption: `Solid orange: ${realLabel(f)}, in scenario time${pace ? ' and scenario units' : ''}; dashed blue: ${simLabel(f)}. Each ${seconds(step)} row's value holds across the row.`,
    });
  }
  return { charts, notCharted, step };
}

/** The section: a heading, how the two runs were made, the table, what was not compared, the charts. */
export function fidelityBlocks(section: FidelitySection, realTimeline: TimelineData | undefined, duration: number, maxPoints?: number): Block[] {
  const f = section.fidelity;
  const b: Block[] = [{ kind: 'h2', text: 'Simulator vs real pipeline' }];
  b.push({
    kind: 'p',
    text: `The simulator and the real ${f.target} pipeline ran the same scenario (${f.scenario}) with the same seed (${f.seed}). Each figure below is the simulator's prediction, what the real run measured, and the relative difference (real − sim) / sim; a figure is flagged where they differ by more than ${FIDELITY_THRESHOLD * 100}% (counts only when the gap is also more than 1% of the offered events). The same table is in ${FIDELITY_FILE}.`,
  });
  const pace = compressionText(f);
  b.push({
    kind: 'note',
    text: pace
      ? `The real run was ${pace}. Its counts, throttles, capacity and cost are in scenario units (sent × weight); its curves are in scenario time; its latencies are wall-clock milliseconds as measured, not scaled; its iterator age is wall time × the time scale.`
      : "The real run ran at the scenario's own pace (time scale 1), every event sent.",
  });
  const differing = f.rows.filter((r) => r.differs);
  const compared = f.rows.filter((r) => r.sim !== null && r.real !== null);
  b.push({
    kind: 'p',
    strong: true,
    text: differing.length
      ? `${differing.length} of ${compared.length} figures compared differ by more than ${FIDELITY_THRESHOLD * 100}%: ${differing.map((r) => r.metric).join(', ')}.`
      : `None of the ${compared.length} figures compared differs by more than ${FIDELITY_THRESHOLD * 100}%.`,
  });
  b.push({
    kind: 'table',
    head: ['figure', 'unit', 'simulator', 'real', 'difference', `> ${FIDELITY_THRESHOLD * 100}%`, 'note'],
    align: ['l', 'l', 'r', 'r', 'r', 'l', 'l'],
    rows: f.rows.map((r) => [r.metric, r.unit, fidelityValue(r.sim, r.unit), fidelityValue(r.real, r.unit), fidelityDifference(r), r.differs ? 'DIFFERS' : '', r.note ?? '']),
  });
  if (f.notCompared.length) {
    b.push({ kind: 'p', text: 'Not compared (a side does not measure it; shown as — above, null in the files, never 0):' });
    b.push({ kind: 'list', items: [...f.notCompared] });
  }
  if (!section.sim || !realTimeline) {
    b.push({ kind: 'note', text: `No ${section.sim ? 'timeline.csv' : SIM_TIMELINE_FILE} beside ${FIDELITY_FILE}: the curves over time are left out.` });
    return b;
  }
  const real = section.real ?? realTimeline;
  const { charts, notCharted, step } = fidelityCharts(f, section.sim, real, duration, maxPoints);
  if (charts.length) {
    b.push({
      kind: 'p',
      text: `Both curves on one chart per series: the simulator's timeline summed into ${seconds(step)} rows (${SIM_TIMELINE_FILE}) against the real run's timeline.csv, from the quota gateway's CloudWatch ${step === 60 ? 'minutes' : `series in ${seconds(step)} rows`} of scenario time${pace ? `; the real run was ${pace}, so its curve is in scenario time and scenario units` : ''}.`,
    });
  }
  for (const chart of charts) b.push({ kind: 'chart', chart });
  if (notCharted.length) b.push({ kind: 'note', text: `Not charted: ${notCharted.join('; ')} (stored and delivered are audited as totals only, so they have no curve).` });
  else b.push({ kind: 'note', text: 'Stored and delivered are audited as totals on the real run, so they have no curve.' });
  return b;
}
