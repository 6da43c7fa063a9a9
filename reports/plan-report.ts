/**
 * What `ingestlab plan` prints and writes: the terminal text, plan.md / plan.html (the ranked table, why the cheaper
 * configurations failed, the Pareto frontier charts, the rounds of the search) and the `--json` document. Pure writers.
 */
import type { Dimension } from '../plan/space.ts';
import { pointLabel } from '../plan/space.ts';
import {
  costPerMillionDelivered,
  droppedShare,
  passes,
  type NoPassExplanation,
  type PlanCheck,
  type PlanOutcome,
  type PlanSample,
} from '../plan/search.ts';
import { type Block, renderHtml, renderMarkdown } from './doc.ts';
import { int, money, num, pct, seconds } from './format.ts';
import { CATEGORICAL, PALETTE, compact, scatterChart } from './svg-chart.ts';

export interface PlanReportInput {
  readonly scenario: string;
  readonly description: string;
  readonly dimensions: readonly Dimension[];
  readonly outcome: PlanOutcome;
  readonly budget: number;
  /** Overrides every configuration shared (--set …), as typed. */
  readonly base: readonly string[];
  /** Wall-clock seconds of the search, when measured. */
  readonly wallSeconds?: number;
  readonly threads?: number;
  /** Where best.yaml was written, relative to the report. */
  readonly bestFile?: string;
}

const ROWS = 10;

const cpm = (s: PlanSample) => {
  const v = costPerMillionDelivered(s.figures);
  return v === null ? '—' : money(v);
};

const labelOf = (outcome: PlanOutcome, s: PlanSample) => pointLabel(outcome.points[s.id]!.overrides);

/** `events.dropped 0.31 (expected rate < 0.3)` for each failing check. */
export function failureText(checks: readonly PlanCheck[]): string {
  return checks
    .filter((c) => !c.pass)
    .map((c) => `${c.key} ${c.actual === null ? 'null' : num(c.actual, 4)} (expected ${c.expected})`)
    .join('; ');
}

function sampleWhy(s: PlanSample, fullResolution?: number): string {
  const at = fullResolution !== undefined && s.resolution !== fullResolution ? ` (at ${s.resolution} s ticks)` : '';
  return s.error !== undefined ? `invalid: ${s.error}` : failureText(s.checks) + at;
}

/**
 * The configurations cheaper to run than the winner (total cost) that fail, closest in cost first, each on its most
 * accurate run (halving judged some only at a coarse tick; the row says so).
 */
export function cheaperFailures(outcome: PlanOutcome): PlanSample[] {
  const w = outcome.winner;
  if (!w?.figures) return [];
  return outcome.best
    .filter((s) => !passes(s) && s.figures && s.figures.costUsd < w.figures!.costUsd)
    .sort((a, b) => b.figures!.costUsd - a.figures!.costUsd || a.id - b.id);
}

function searchLine(input: PlanReportInput): string {
  const o = input.outcome;
  const size = o.points.length;
  const runs = o.rounds.reduce((a, r) => a + r.runs, 0);
  const how =
    o.schedule.method === 'grid'
      ? `full grid: every configuration at the scenario's ${seconds(o.rounds[0]?.resolution ?? 0)} ticks`
      : `successive halving (η = ${o.schedule.eta}): ${o.rounds.map((r) => `${r.runs} at ${r.resolution} s`).join(' → ')} ticks`;
  const wall = input.wallSeconds !== undefined ? `, ${input.wallSeconds.toFixed(1)} s wall${input.threads ? ` on ${input.threads} thread${input.threads === 1 ? '' : 's'}` : ''}` : '';
  return `${int(size)} configurations (${input.dimensions.map((d) => `${d.key}: ${d.values.length}`).join(' × ')}); ${how}; ${int(runs)} runs, ${num(o.spent, 1)} of ${num(input.budget, 0)} full-run equivalents${wall}.`;
}

function explanationLines(e: NoPassExplanation, outcome: PlanOutcome): string[] {
  const lines: string[] = [];
  if (e.failingEverywhere.length > 0) {
    const coarse = e.coarseOnly > 0 ? `, ${e.coarseOnly} of them run only at coarse ticks` : '';
    for (const f of e.failingEverywhere) lines.push(`${f.key} fails on all ${e.configurations} configurations (expected ${f.expected}; the closest reached ${f.closest === null ? 'null' : num(f.closest, 4)}${coarse})`);
  } else if (e.failureCounts.length > 0) {
    lines.push(`no single expectation fails everywhere; failures per expectation: ${e.failureCounts.map((c) => `${c.key} on ${c.failures}`).join(', ')}`);
  } else {
    lines.push('every configuration failed to run');
  }
  lines.push(`closest configuration: ${labelOf(outcome, e.closest)} — ${sampleWhy(e.closest)}${e.closest.resolution !== outcome.full[0]?.resolution && e.closest.figures ? ` (at ${e.closest.resolution} s ticks)` : ''}`);
  return lines;
}

/** The terminal summary (stdout). */
export function planText(input: PlanReportInput): string {
  const o = input.outcome;
  const lines: string[] = [];
  lines.push(`plan ${input.scenario}: ${searchLine(input)}`);
  if (o.winner) {
    const w = o.winner;
    lines.push(`best (${o.objective === 'cost' ? 'cheapest per million delivered events' : 'least Kinesis scaling lag'}): ${labelOf(o, w)}`);
    lines.push(`  ${cpm(w)} per million delivered · run cost ${money(w.figures!.costUsd)} · dropped ${pct(w.figures!.dropped, w.figures!.offered)} · Kinesis lag ${seconds(w.figures!.kinesisLagSeconds)} · all ${w.checks.length} checks pass`);
    lines.push('rank  cost/M delivered  run cost  dropped  lag      configuration');
    o.ranked.slice(0, 5).forEach((s, i) => {
      const f = s.figures!;
      lines.push(`${String(i + 1).padStart(4)}  ${cpm(s).padStart(16)}  ${money(f.costUsd).padStart(8)}  ${pct(f.dropped, f.offered).padStart(7)}  ${seconds(f.kinesisLagSeconds).padEnd(7)}  ${labelOf(o, s)}`);
    });
    const cheaper = cheaperFailures(o);
    if (cheaper.length > 0) {
      lines.push(`cheaper to run but failing (${cheaper.length}):`);
      for (const s of cheaper.slice(0, 3)) lines.push(`  ${labelOf(o, s)}: ${sampleWhy(s, o.winner!.resolution)}`);
    }
  } else if (o.explanation) {
    lines.push('nothing in the space passes:');
    for (const l of explanationLines(o.explanation, o)) lines.push(`  ${l}`);
  }
  return lines.join('\n') + '\n';
}

function frontierCharts(outcome: PlanOutcome): Block[] {
  const full = outcome.full.filter((s) => s.figures && costPerMillionDelivered(s.figures) !== null);
  if (full.length === 0) return [];
  const onFrontier = new Set(outcome.frontier.map((s) => s.id));
  const color = (s: PlanSample) => (s === outcome.winner ? CATEGORICAL[2] : onFrontier.has(s.id) ? CATEGORICAL[0] : PALETTE.axis);
  const title = (s: PlanSample) => `${labelOf(outcome, s)}: ${cpm(s)} per M delivered, lag ${seconds(s.figures!.kinesisLagSeconds)}, dropped ${pct(s.figures!.dropped, s.figures!.offered)}${passes(s) ? '' : ' (fails)'}`;
  const legend = [
    { label: 'winner', color: CATEGORICAL[2] },
    { label: 'on the frontier', color: CATEGORICAL[0] },
    { label: 'dominated', color: PALETTE.axis },
    { label: 'ring: fails its expectations', color: PALETTE.axis, hollow: true },
  ];
  const chart = (id: string, yTitle: string, y: (s: PlanSample) => number, formatY: (v: number) => string): Block => {
    const frontier = outcome.frontier.map((s) => ({ x: costPerMillionDelivered(s.figures)!, y: y(s) })).sort((a, b) => a.x - b.x || a.y - b.y);
    // The frontier seen on this pair of axes: each step improves on y.
    const steps: { x: number; y: number }[] = [];
    for (const p of frontier) if (steps.length === 0 || p.y < steps.at(-1)!.y) steps.push(p);
    return {
      kind: 'chart',
      chart: {
        id,
        title: `Cost per million delivered events vs ${yTitle}`,
        caption: `One dot per configuration run at full resolution (${full.length}); rings fail an expectation or lose events. The line joins the frontier points that improve on ${yTitle} as cost rises. Hover a dot in the HTML for its configuration.`,
        svg: scatterChart({
          id,
          title: `Cost per million delivered events vs ${yTitle}`,
          points: full.map((s) => ({ x: costPerMillionDelivered(s.figures)!, y: y(s), color: color(s), hollow: !passes(s), title: title(s) })),
          line: steps,
          lineColor: CATEGORICAL[0],
          legend,
          xLabel: 'USD per million delivered events',
          yLabel: yTitle,
          formatX: (v) => `$${compact(v)}`,
          formatY,
        }),
      },
    };
  };
  return [
    chart('plan-frontier-lag', 'Kinesis scaling lag (s)', (s) => s.figures!.kinesisLagSeconds, compact),
    chart('plan-frontier-dropped', 'dropped events (% of offered)', (s) => 100 * droppedShare(s.figures!), (v) => `${compact(v)}%`),
  ];
}

function sampleRow(o: PlanOutcome, s: PlanSample, rank: string): string[] {
  const f = s.figures!;
  const full = o.full[0]?.resolution;
  return [rank, labelOf(o, s), cpm(s), money(f.costUsd), `${int(f.dropped)} (${pct(f.dropped, f.offered)})`, seconds(f.kinesisLagSeconds), int(f.shardsMax), passes(s) ? `yes (${s.checks.length})` : `no: ${sampleWhy(s, full)}`];
}

const HEAD = ['rank', 'configuration', 'cost / M delivered', 'run cost', 'dropped', 'Kinesis lag', 'max shards', 'passes'];
const ALIGN: ('l' | 'r')[] = ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'l'];

export function planBlocks(input: PlanReportInput): Block[] {
  const o = input.outcome;
  const b: Block[] = [];
  b.push({ kind: 'h1', text: `Plan: ${input.scenario}` });
  if (input.description.trim()) b.push({ kind: 'p', text: input.description.trim() });
  if (o.winner) {
    b.push({ kind: 'verdict', ok: true, text: `${o.objective === 'cost' ? 'Cheapest passing configuration' : 'Least scaling lag among passing configurations'}: ${labelOf(o, o.winner)}, at ${cpm(o.winner)} per million delivered events (run cost ${money(o.winner.figures!.costUsd)}).` });
  } else {
    b.push({ kind: 'verdict', ok: false, text: 'No configuration in the space passes every expectation without losing events.' });
  }
  b.push({ kind: 'p', text: searchLine(input) });
  b.push({
    kind: 'p',
    text: `A configuration passes when every expectation in the scenario's expect: section holds and no accepted event is lost. Passing configurations are ranked by ${o.objective === 'cost' ? 'cost per million delivered events (events stored and in S3), scaling lag breaking ties' : 'Kinesis scaling lag, cost per million delivered events breaking ties'}.${input.base.length > 0 ? ` Every run also had: ${input.base.join(', ')}.` : ''}`,
  });
  if (input.bestFile && o.winner) b.push({ kind: 'note', text: `The winner as a scenario file: ${input.bestFile} (npm run scenario -- ${input.bestFile}).` });
  if (o.explanation) {
    b.push({ kind: 'h2', text: 'Why nothing passes' });
    b.push({ kind: 'list', items: explanationLines(o.explanation, o) });
  }
  if (o.ranked.length > 0) {
    b.push({ kind: 'h2', text: `Best ${Math.min(ROWS, o.ranked.length)} of ${o.ranked.length} passing` });
    b.push({ kind: 'table', head: HEAD, align: ALIGN, rows: o.ranked.slice(0, ROWS).map((s, i) => sampleRow(o, s, String(i + 1))) });
  }
  const cheaper = cheaperFailures(o);
  if (cheaper.length > 0) {
    b.push({ kind: 'h2', text: 'Cheaper to run, and why they fail' });
    b.push({ kind: 'table', head: HEAD, align: ALIGN, rows: cheaper.slice(0, ROWS).map((s) => sampleRow(o, s, '—')) });
    if (cheaper.length > ROWS) b.push({ kind: 'note', text: `${cheaper.length - ROWS} more cheaper configurations fail; --json lists them all.` });
  }
  b.push({ kind: 'h2', text: 'Pareto frontier: cost against scaling lag and dropped events' });
  b.push({
    kind: 'p',
    text: `${o.frontier.length} of the ${o.full.length} configurations run at full resolution are on the frontier: none of the others is at least as good on cost per million delivered events, Kinesis scaling lag and dropped share, and better on one.`,
  });
  b.push(...frontierCharts(o));
  if (o.frontier.length > 0) b.push({ kind: 'table', head: HEAD, align: ALIGN, rows: o.frontier.slice(0, 2 * ROWS).map((s) => sampleRow(o, s, '—')) });
  b.push({ kind: 'h2', text: 'Rounds of the search' });
  b.push({
    kind: 'table',
    head: ['round', 'tick', 'configurations run', 'passed', 'failed everywhere (not used to choose)'],
    align: ['r', 'r', 'r', 'r', 'l'],
    rows: o.rounds.map((r, i) => [String(i + 1), `${r.resolution} s`, int(r.runs), int(r.passed), r.ignored?.join(', ') ?? '']),
  });
  if (o.schedule.method === 'halving') {
    b.push({
      kind: 'note',
      text: 'Successive halving runs every configuration over the whole duration at a coarse tick, keeps the best 1/η (passing first by the objective, then near misses, then the rest by how far they miss; a check that fails on every configuration of a round does not count in it) and repeats at finer ticks; only runs at the scenario\'s own tick can win. It is much cheaper than the grid but not exhaustive: a configuration that fails at a coarse tick and would pass at the full one can be missed. --budget large enough for the grid makes it exact.',
    });
  }
  const invalid = o.best.filter((s) => s.error !== undefined);
  if (invalid.length > 0) {
    b.push({ kind: 'h3', text: `${invalid.length} invalid configuration${invalid.length === 1 ? '' : 's'}` });
    b.push({ kind: 'list', items: invalid.slice(0, ROWS).map((s) => `${labelOf(o, s)}: ${s.error}`) });
  }
  return b;
}

export const planMarkdown = (input: PlanReportInput): string => renderMarkdown(planBlocks(input));
export const planHtml = (input: PlanReportInput): string => renderHtml(`ingestlab plan: ${input.scenario}`, planBlocks(input));

const sampleJson = (o: PlanOutcome, s: PlanSample) => ({
  id: s.id,
  overrides: o.points[s.id]!.overrides,
  resolutionSeconds: s.resolution,
  passes: passes(s),
  costPerMillionDeliveredUsd: costPerMillionDelivered(s.figures),
  ...(s.figures ? { figures: s.figures } : {}),
  failures: s.checks.filter((c) => !c.pass),
  ...(s.error !== undefined ? { error: s.error } : {}),
});

/** The `--json` document. */
export function planJson(input: PlanReportInput & { files: readonly string[] }): unknown {
  const o = input.outcome;
  return {
    scenario: input.scenario,
    objective: o.objective,
    space: { size: o.points.length, dimensions: input.dimensions.map((d) => ({ key: d.key, values: d.values })) },
    base: input.base,
    search: { method: o.schedule.method, ...(o.schedule.eta ? { eta: o.schedule.eta } : {}), budget: input.budget, spent: o.spent, rounds: o.rounds, ...(input.wallSeconds !== undefined ? { wallSeconds: input.wallSeconds } : {}) },
    winner: o.winner ? sampleJson(o, o.winner) : null,
    ranked: o.ranked.map((s) => sampleJson(o, s)),
    cheaperFailing: cheaperFailures(o).map((s) => sampleJson(o, s)),
    frontier: o.frontier.map((s) => sampleJson(o, s)),
    ...(o.explanation
      ? { explanation: { failingEverywhere: o.explanation.failingEverywhere, failureCounts: o.explanation.failureCounts, closest: sampleJson(o, o.explanation.closest) } }
      : {}),
    files: input.files,
  };
}
