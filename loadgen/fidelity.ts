/**
 * Fidelity (issue 12, item 3): the simulator's prediction beside what the real pipeline did, for the same scenario and
 * seed, figure by figure with the relative difference. A row differs when |real − sim| / sim > 10% (for counts also
 * by more than 1% of the offered events, so that 3 against 0 throttled records out of a million is not a finding).
 *
 * Every figure the issue lists (FIDELITY_FIGURES) is a row with both sides, or is named in `notCompared` with the
 * reason; a side the real run cannot measure is null, never a made-up number.
 */
import type { Summary } from '../sim/summary.ts';
import type { TargetRunResult } from './target-run.ts';

/** The figures issue 12 asks the comparison for, in its order. */
export const FIDELITY_FIGURES = [
  'offered',
  'accepted',
  'throttled',
  'dropped',
  'stored',
  'delivered',
  'reshards',
  'first scale-up',
  'scaling lag',
  'max iterator age',
  'latency percentiles',
  'cost per million events',
] as const;
export type FidelityFigure = (typeof FIDELITY_FIGURES)[number];

export interface FidelityRow {
  readonly metric: string;
  readonly unit: string;
  /** Which of the issue's figures the row is (absent for extra rows: rejected, shards max). */
  readonly figure?: FidelityFigure;
  readonly sim: number | null;
  readonly real: number | null;
  /** (real − sim) / sim; 0 when both are 0; null when either is missing or sim is 0 and real is not. */
  readonly relDiff: number | null;
  readonly differs: boolean;
  readonly note?: string;
}

export interface Fidelity {
  readonly scenario: string;
  readonly seed: number;
  readonly target: TargetRunResult['target'];
  readonly timeScale: number;
  readonly sample: number;
  readonly rows: FidelityRow[];
  /** Figures not compared (a side is not measured), each "figure: why". */
  readonly notCompared: string[];
}

export const FIDELITY_THRESHOLD = 0.1;

/** (real − sim) / sim, 0 when both are 0, null when either is missing or only sim is 0. */
export function relativeDifference(sim: number | null, real: number | null): number | null {
  if (sim === null || real === null) return null;
  if (sim === 0) return real === 0 ? 0 : null;
  return (real - sim) / sim;
}

/** A finite number, else null (a real run's unmeasured figure is NaN in memory, null in summary.json). */
const known = (x: number | null | undefined): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : x);

/** Cost lines as "service item" keys. */
const lineKey = (l: { service: string; item: string }) => `${l.service} ${l.item}`;

/**
 * The comparison. `realSummary` is the real run's summary.json (loadgen/target-summary.ts): the cost priced from its
 * metered usage; without it the cost rows are not compared.
 */
export function fidelityOf(sim: Summary, real: TargetRunResult, realSummary?: Summary): Fidelity {
  const offered = Math.max(1, sim.events.offered);
  const rows: FidelityRow[] = [];
  const notCompared: string[] = [];
  const onAws = real.target === 'aws';
  const row = (
    figure: FidelityFigure | undefined,
    metric: string,
    unit: string,
    simValue: number | null,
    realValue: number | null,
    kind: 'count' | 'value',
    note?: string,
  ) => {
    const s = known(simValue);
    const r = known(realValue);
    const relDiff = relativeDifference(s, r);
    const absolute = s !== null && r !== null ? Math.abs(r - s) : 0;
    const material = kind === 'count' ? absolute > 0.01 * offered : absolute > 0;
    const differs = s !== null && r !== null && material && (relDiff === null || Math.abs(relDiff) > FIDELITY_THRESHOLD);
    rows.push({ metric, unit, ...(figure ? { figure } : {}), sim: s, real: r, relDiff, differs, ...(note ? { note } : {}) });
  };
  const e = sim.events;
  const r = real.events;
  const oneIn = Math.round(real.weight);
  const sampled = Math.abs(real.weight - oneIn) < 1e-6 ? `1 in ${oneIn} events sent` : `a fraction ${+real.sample.toFixed(6)} of the events sent`;
  row('offered', 'offered', 'events', e.offered, r.offered, 'count', real.sample !== 1 ? `real: ${sampled}, each counted ${+real.weight.toFixed(6)} times` : undefined);
  row('accepted', 'accepted', 'events', e.accepted, r.accepted, 'count');
  row(undefined, 'rejected (API)', 'events', e.rejected, r.rejected + r.failed, 'count', r.failed > 0 ? `real: includes ${Math.round(r.failed)} failed (no 2xx, 429 or 503 answer)` : undefined);
  const noGateway = 'no quota gateway on aws: read CloudWatch';
  row('throttled', 'throttled (Kinesis)', 'records', sim.kinesis.throttledRecords, onAws ? null : real.kinesis.throttledRecords, 'count', 'each retry of a throttled record counts again, on both sides');
  row('throttled', 'throttled (DynamoDB)', 'requests', sim.dynamodb.throttledRequests, onAws ? null : real.dynamodb.throttledRequests, 'count');
  if (onAws) notCompared.push(`throttled: ${noGateway}`);
  row('dropped', 'dropped', 'events', e.dropped, r.dropped, 'count');
  row('stored', 'stored', 'events', e.stored, r.stored, 'count');
  row('delivered', 'delivered', 'events', e.delivered, r.delivered, 'count');
  row('reshards', 'reshards', 'count', sim.kinesis.reshards, real.kinesis.reshards, 'value');
  row(undefined, 'shards max', 'shards', sim.kinesis.shardsMax, real.kinesis.shardsMax, 'value');

  // First scale-up: both null is agreement (neither scaled); one null is a finding, whatever the relative difference.
  const simUp = sim.scaling.kinesis.firstScaleUpAtSeconds;
  const realUp = real.scaling.firstScaleUpAtSeconds;
  if (simUp === null && realUp === null) {
    rows.push({ metric: 'first scale-up', unit: 's', figure: 'first scale-up', sim: null, real: null, relDiff: null, differs: false, note: 'neither side scaled up' });
  } else if (simUp === null || realUp === null) {
    rows.push({ metric: 'first scale-up', unit: 's', figure: 'first scale-up', sim: simUp, real: realUp, relDiff: null, differs: true, note: `only the ${simUp === null ? 'real pipeline' : 'simulator'} scaled up` });
  } else {
    row('first scale-up', 'first scale-up', 's', simUp, realUp, 'value', `real − sim = ${realUp - simUp >= 0 ? '+' : ''}${Math.round(realUp - simUp)} s (seconds since the load started)`);
  }

  // The real run's Kinesis lag is from its 60 s timeline rows (demand against the shards in effect); its DynamoDB
  // demand is not measured per minute, so it has no DynamoDB lag.
  const kLag = known(realSummary?.scaling.kinesis.lagSeconds);
  row('scaling lag', 'scaling lag (Kinesis)', 's', sim.scaling.kinesis.lagSeconds, kLag, 'value', kLag === null ? undefined : "real: on the timeline's 60 s rows, the simulator's on 1 s ticks (they can differ by a row)");
  row('scaling lag', 'scaling lag (DynamoDB)', 's', sim.scaling.dynamodb.lagSeconds, known(realSummary?.scaling.dynamodb.lagSeconds), 'value');
  const noLag = rows.filter((x) => x.figure === 'scaling lag' && x.real === null).map((x) => x.metric);
  if (noLag.length > 0) {
    const why = noLag.map((m) => (m.includes('Kinesis') ? 'Kinesis: no provisioned capacity to compare demand with (on-demand, or no real summary)' : 'DynamoDB: the real run measures the write capacity consumed, not the demand, per minute'));
    notCompared.push(`scaling lag: ${why.join('; ')}`);
  }

  row(
    'max iterator age',
    'max iterator age',
    'ms',
    sim.kinesis.maxIteratorAgeMs,
    real.kinesis.maxIteratorAgeMs,
    'value',
    `real: the processor's, sampled every 250 ms wall${real.timeScale !== 1 ? ` × time scale ${real.timeScale}` : ''}`,
  );

  const ingestNote = 'wall-clock ms on this machine from the intended send time (not scaled by the time scale); the simulator models API Gateway and PutRecords';
  for (const p of ['p50', 'p95', 'p99'] as const) {
    row('latency percentiles', `ingest latency ${p}`, 'ms', sim.ingestLatencyMs[p], real.ingestLatencyMs[p], 'value', p === 'p50' ? ingestNote : undefined);
  }
  const e2e = real.metered.processorEndToEndMs;
  for (const p of ['p50', 'p95', 'p99'] as const) {
    const note = p === 'p50' ? `real: the processor's wall ms from acceptance to stored and handed to Firehose${real.timeScale !== 1 ? '; batching windows and iterator waits are compressed by the time scale, so not comparable one to one' : ''}` : undefined;
    row('latency percentiles', `end-to-end latency ${p}`, 'ms', sim.latencyMs[p], e2e ? e2e[p] : null, 'value', note);
  }
  if (!e2e) notCompared.push('latency percentiles (end to end): the real run has no processor counters');

  // Cost per million delivered events: the real run's metered usage priced with the same table (target-summary.ts).
  if (realSummary) {
    const unpriced = (realSummary.notMeasured ?? []).filter((x) => /not priced/.test(x));
    row(
      'cost per million events',
      'cost per million events',
      'USD',
      sim.cost.perMillionEventsUsd,
      realSummary.cost.perMillionEventsUsd,
      'value',
      `real: metered usage priced with the simulator's price table${unpriced.length ? `; not priced on the real run: ${unpriced.join(', ')}` : ''}`,
    );
    // Like for like: only the billed items both sides priced, over each side's own delivered events.
    const realKeys = new Set(realSummary.cost.lines.filter((l) => l.usd > 0).map(lineKey));
    const simKeys = new Set(sim.cost.lines.filter((l) => l.usd > 0).map(lineKey));
    const both = (l: { service: string; item: string }) => realKeys.has(lineKey(l)) && simKeys.has(lineKey(l));
    const perMillion = (s: Summary) => {
      const delivered = Math.min(s.events.stored, s.events.delivered);
      return delivered > 0 ? (s.cost.lines.filter(both).reduce((a, l) => a + l.usd, 0) / delivered) * 1e6 : null;
    };
    const onlySim = [...simKeys].filter((k) => !realKeys.has(k));
    const onlyReal = [...realKeys].filter((k) => !simKeys.has(k));
    row(
      'cost per million events',
      'cost per million, like for like',
      'USD',
      perMillion(sim),
      perMillion(realSummary),
      'value',
      [onlySim.length ? `left out, priced by the simulator only: ${onlySim.join(', ')}` : '', onlyReal.length ? `left out, priced on the real run only: ${onlyReal.join(', ')}` : '']
        .filter(Boolean)
        .join('; ') || 'both sides priced the same items',
    );
  } else {
    notCompared.push('cost per million events: no real summary was given to price the metered usage');
  }
  return { scenario: real.scenario, seed: real.seed, target: real.target, timeScale: real.timeScale, sample: real.sample, rows, notCompared };
}

/** A figure as the fidelity table shows it: dollars to 4 significant digits; ms and other figures whole from 100 up (ms with one decimal below). */
export function fidelityValue(x: number | null, unit: string): string {
  if (x === null) return '—';
  if (unit === 'ms') return Math.abs(x) < 100 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US');
  if (unit === 'USD') return `$${Number(x.toPrecision(4))}`;
  return Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : String(+x.toFixed(2));
}

/** The relative difference as the table shows it: +12.3%, "—" when a side is missing, "sim 0" when only sim is 0. */
export function fidelityDifference(r: FidelityRow): string {
  if (r.relDiff !== null) return `${r.relDiff >= 0 ? '+' : ''}${(r.relDiff * 100).toFixed(1)}%`;
  return r.sim === 0 && r.real !== null ? 'sim 0' : '—';
}

/** The run's header line: which scenario, seed, target, and whether the real run was compressed or sampled. */
export function fidelityHeader(f: Fidelity): string {
  return `fidelity: ${f.scenario} (seed ${f.seed}), simulator vs ${f.target}${f.timeScale !== 1 || f.sample !== 1 ? ` at time scale ${f.timeScale}, sample ${+f.sample.toFixed(6)}` : ''}`;
}

export function fidelityText(f: Fidelity): string {
  const label = (r: FidelityRow) => `${r.metric} (${r.unit})`;
  const width = Math.max(26, ...f.rows.map((r) => label(r).length + 2));
  const lines = [fidelityHeader(f), `${'figure'.padEnd(width)}${'simulator'.padStart(14)}${'real'.padStart(14)}${'difference'.padStart(12)}`];
  for (const r of f.rows) {
    lines.push(`${label(r).padEnd(width)}${fidelityValue(r.sim, r.unit).padStart(14)}${fidelityValue(r.real, r.unit).padStart(14)}${fidelityDifference(r).padStart(12)}${r.differs ? '  > 10%' : ''}`);
  }
  if (f.notCompared.length) lines.push(`not compared: ${f.notCompared.join('; ')}`);
  return lines.join('\n');
}
