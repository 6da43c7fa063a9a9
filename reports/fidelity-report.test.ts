/**
 * The "Simulator vs real pipeline" section of a --compare run's report, from hand-made timelines and rows: the
 * resampling into the real run's minutes, the table in markdown, and charts with both curves, labelled.
 */
import { describe, expect, it } from 'vitest';
import type { Fidelity } from '../loadgen/fidelity.ts';
import { Timeline, type TimelineColumn } from '../sim/timeline.ts';
import { run, tenants } from '../test/builders.ts';
import { chartsOf, renderMarkdown } from './doc.ts';
import { fidelityBlocks, resampleTimeline } from './fidelity-report.ts';
import { runReportBlocks, runReportMarkdown } from './run-report.ts';

/** A timeline of `duration` seconds in rows of `step`, with the given columns (others 0). */
function timeline(duration: number, step: number, columns: Partial<Record<TimelineColumn, number[]>>): Timeline {
  const t = new Timeline(duration, step);
  for (const [c, values] of Object.entries(columns)) t.columns[c as TimelineColumn].set(values);
  return t;
}

describe('resampleTimeline', () => {
  it('30 s rows into minutes over 140 s: sums add, means weigh by overlap, maxima take the largest; the last 20 s row stays whole', () => {
    const t = timeline(140, 30, { offered: [10, 20, 30, 40, 50], kinesisDemandRps: [1, 3, 5, 7, 9], shards: [1, 2, 2, 4, 1] });
    const m = resampleTimeline(t, 140, 60);
    expect(m.rows).toBe(3);
    expect(Array.from(m.columns.offered)).toEqual([30, 70, 50]);
    expect(Array.from(m.columns.kinesisDemandRps)).toEqual([2, 6, 9]);
    expect(Array.from(m.columns.shards)).toEqual([2, 4, 1]);
  });

  it('rows that do not nest (40 s into 60 s) split sums in proportion; a NaN (not measured) stays NaN', () => {
    const t = timeline(120, 40, { offered: [40, 40, 40], stored: [NaN, NaN, NaN] });
    const m = resampleTimeline(t, 120, 60);
    // [0,60) holds all of row 0 and half of row 1: 40 + 20; [60,120) the other half and row 2.
    expect(Array.from(m.columns.offered)).toEqual([60, 60]);
    expect(Array.from(m.columns.stored).every(Number.isNaN)).toBe(true);
  });
});

const fidelity: Fidelity = {
  scenario: 'hand-made',
  seed: 7,
  target: 'embedded',
  timeScale: 20,
  sample: 0.05,
  rows: [
    { metric: 'offered', unit: 'events', figure: 'offered', sim: 3000, real: 3000, relDiff: 0, differs: false },
    { metric: 'dropped', unit: 'events', figure: 'dropped', sim: 0, real: 50, relDiff: null, differs: true },
    { metric: 'stored', unit: 'events', figure: 'stored', sim: 3000, real: 2400, relDiff: -0.2, differs: true },
    { metric: 'scaling lag (Kinesis)', unit: 's', figure: 'scaling lag', sim: 120, real: null, relDiff: null, differs: false },
    { metric: 'cost per million events', unit: 'USD', figure: 'cost per million events', sim: 4.0334, real: 4.0261, relDiff: 4.0261 / 4.0334 - 1, differs: false, note: 'real: metered usage' },
  ],
  notCompared: ['scaling lag: the real run does not track offered load against capacity'],
};

// 140 s of scenario: minutes [0,60), [60,120) and a last 20 s row [120,140).
// Simulator (1 s rows): 0.5 events/s for the first minute, 1.5 for the second, 1.5 in the last 20 s
// → 30, 90 and 30 per row → 30, 90, 90 per minute. Real (60 s rows): 60, 60, 20 → 60 per minute throughout.
const simSecondly = timeline(140, 1, {
  accepted: Array.from({ length: 140 }, (_, s) => (s < 60 ? 0.5 : 1.5)),
  offered: Array.from({ length: 140 }, () => 1),
  shards: Array.from({ length: 140 }, (_, s) => (s < 70 ? 1 : 2)),
});
const sim = resampleTimeline(simSecondly, 140, 60);
const real = timeline(140, 60, { accepted: [60, 60, 20], offered: [60, 60, 20], shards: [1, 2, 2], ddbThrottled: [NaN, NaN, NaN] });

describe('the section', () => {
  const blocks = fidelityBlocks({ fidelity, sim }, real, 140);
  const md = renderMarkdown(blocks);

  it('renders the table with the relative differences and the flag, what was not compared, and that the run was compressed', () => {
    expect(md).toMatch(/^## Simulator vs real pipeline$/m);
    expect(md).toContain('| figure | unit | simulator | real | difference | > 10% | note |');
    expect(md).toContain('| offered | events | 3,000 | 3,000 | +0.0% |  |  |');
    expect(md).toContain('| dropped | events | 0 | 50 | sim 0 | DIFFERS |  |');
    expect(md).toContain('| stored | events | 3,000 | 2,400 | -20.0% | DIFFERS |  |');
    expect(md).toContain('| scaling lag (Kinesis) | s | 120 | — | — |  |  |');
    expect(md).toContain('| cost per million events | USD | $4.033 | $4.026 | -0.2% |  | real: metered usage |');
    expect(md).toContain('**2 of 4 figures compared differ by more than 10%: dropped, stored.**');
    expect(md).toContain('- scaling lag: the real run does not track offered load against capacity');
    expect(md).toContain('The real run was compressed 20× (each wall second stood for 20 scenario seconds) and sampled (1 in 20 events sent, each counted 20 times).');
    expect(md).toContain('![Accepted events per minute (entered Kinesis), simulator vs real](charts/fidelity-accepted.svg)');
  });

  it('draws both curves on one chart per series both measured, labelled; a series the real run did not measure is named, not drawn', () => {
    const charts = chartsOf(blocks);
    expect(charts.map((c) => c.id)).toEqual(['fidelity-offered', 'fidelity-accepted', 'fidelity-kinesis-throttled', 'fidelity-shards']);
    expect(md).toContain('Not charted: DynamoDB throttled writes per minute: not measured per minute on the real run');
    const svg = charts.find((c) => c.id === 'fidelity-accepted')!.svg;
    const paths = [...svg.matchAll(/<path class="series" data-label="([^"]+)" d="([^"]+)"/g)].map((m) => ({ label: m[1]!, d: m[2]! }));
    expect(paths.map((p) => p.label)).toEqual(['real embedded pipeline (20× compressed, sample 0.05)', 'simulator (seed 7)']);
    // Both labels are in the legend too.
    expect(svg).toContain('>real embedded pipeline (20× compressed, sample 0.05)</text>');
    expect(svg).toContain('>simulator (seed 7)</text>');
    // y axis: the largest value is 90 per minute (ticks 0 and 50 stay below it), so 90 is the top of a plot from
    // y = 34 + 2 legend rows × 16 = 66 down to 260 − 44 = 216 (150 px). The real curve is 60 per minute throughout
    // (the last 20 s row's 20 is 60 a minute): y = 216 − 60/90 × 150 = 116 at every step.
    const ys = (d: string) => [...d.matchAll(/(?:M[\d.]+,|V)([\d.]+)/g)].map((m) => Number(m[1]));
    expect(new Set(ys(paths[0]!.d))).toEqual(new Set([116]));
    // The simulator's: 30 then 90 per minute (the last 20 s row's 30 too): y = 216 − 30/90 × 150 = 166, then 66.
    expect(ys(paths[1]!.d)).toEqual([166, 66, 66, 66]);
  });

  it('sits between the verdict and the charts of the run report when given; absent otherwise', () => {
    const { summary, timeline: t } = run({ duration: '140s', tenants: tenants(1, 1) });
    const plain = runReportMarkdown(summary, t);
    expect(plain).not.toContain('Simulator vs real pipeline');
    const withSection = runReportMarkdown(summary, t, { fidelity: { fidelity, sim } });
    expect(withSection.indexOf('## Simulator vs real pipeline')).toBeGreaterThan(withSection.indexOf('> **Verdict:**'));
    expect(withSection.indexOf('## Simulator vs real pipeline')).toBeLessThan(withSection.indexOf('## Charts'));
    // The section's blocks are added, nothing else changes.
    const section = renderMarkdown(fidelityBlocks({ fidelity, sim }, t, 140));
    expect(withSection.replace(section.trimEnd() + '\n\n', '')).toBe(plain);
    // Drawn against this (simulated) timeline every series is measured, DynamoDB throttles too: five charts.
    expect(chartsOf(runReportBlocks(summary, t, { fidelity: { fidelity, sim } })).filter((c) => c.id.startsWith('fidelity-'))).toHaveLength(5);
  });

  it('without sim-timeline.csv (a run saved before it existed) the table stays and the curves are left out, saying so', () => {
    const old = renderMarkdown(fidelityBlocks({ fidelity }, real, 140));
    expect(old).toContain('| stored | events | 3,000 | 2,400 | -20.0% | DIFFERS |  |');
    expect(old).toContain('No sim-timeline.csv beside fidelity.json: the curves over time are left out.');
    expect(old).not.toContain('.svg');
  });

  it('a run shorter than a minute (one row in each file, whose length the CSV does not say) is charted per minute of the run: 30 real events in 30 s are 60 a minute', () => {
    // As parseTimelineCsv reads a one-row file: step 1. The 30 s run's real 30 accepted → 60 a minute, the sim's 15 → 30.
    const one = (accepted: number) => ({ rows: 1, step: 1, columns: timeline(1, 1, { accepted: [accepted] }).columns });
    const svg = chartsOf(fidelityBlocks({ fidelity, sim: one(15), real: one(30) }, one(30), 30)).find((c) => c.id === 'fidelity-accepted')!.svg;
    const d = [...svg.matchAll(/<path class="series" data-label="[^"]+" d="([^"]+)"/g)].map((m) => m[1]!);
    // y axis tops at 60 (ticks 0, 20, 40, 60): real at the top, y = 66; sim at half, y = 216 − 75 = 141; x from 64 to 742.
    expect(d).toEqual(['M64,66H742V66', 'M64,141H742V141']);
    // The scale says per minute of the run (top tick 60), not per second × 60 (1.8k).
    expect(svg).toContain('text-anchor="end" fill="#868e96">60</text>');
    expect(svg).not.toContain('>1.8k<');
  });

  it('a run at the scenario pace says so, and its curve is labelled without a pace', () => {
    const paced = fidelityBlocks({ fidelity: { ...fidelity, timeScale: 1, sample: 1 }, sim }, real, 140);
    expect(renderMarkdown(paced)).toContain("The real run ran at the scenario's own pace (time scale 1), every event sent.");
    expect(chartsOf(paced)[0]!.svg).toContain('data-label="real embedded pipeline"');
  });
});
