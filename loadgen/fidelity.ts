/**
 * Fidelity (issue 12, item 3): the simulator's prediction beside what the real pipeline did, for the same scenario and
 * seed, figure by figure with the relative difference. A row differs when |real − sim| / sim > 10% (for counts also
 * by more than 1% of the offered events, so that 3 against 0 throttled records out of a million is not a finding).
 */
import type { Summary } from '../sim/summary.ts';
import type { TargetRunResult } from './target-run.ts';

export interface FidelityRow {
  readonly metric: string;
  readonly unit: string;
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
  /** Figures not compared yet, and why. */
  readonly notCompared: string[];
}

const THRESHOLD = 0.1;

export function fidelityOf(sim: Summary, real: TargetRunResult): Fidelity {
  const offered = Math.max(1, sim.events.offered);
  const rows: FidelityRow[] = [];
  const row = (metric: string, unit: string, s: number | null, r: number | null, kind: 'count' | 'value', note?: string) => {
    let relDiff: number | null = null;
    if (s !== null && r !== null) relDiff = s === 0 ? (r === 0 ? 0 : null) : (r - s) / s;
    const absolute = s !== null && r !== null ? Math.abs(r - s) : 0;
    const material = kind === 'count' ? absolute > 0.01 * offered : true;
    const differs = s !== null && r !== null && material && (relDiff === null || Math.abs(relDiff) > THRESHOLD);
    rows.push({ metric, unit, sim: s, real: r, relDiff, differs, ...(note ? { note } : {}) });
  };
  row('offered', 'events', sim.events.offered, real.events.offered, 'count');
  row('accepted', 'events', sim.events.accepted, real.events.accepted, 'count');
  row('rejected (API)', 'events', sim.events.rejected, real.events.rejected, 'count');
  row('throttled (Kinesis)', 'records', sim.kinesis.throttledRecords, real.kinesis.throttledRecords, 'count');
  row('dropped', 'events', sim.events.dropped, real.events.dropped, 'count');
  row('stored', 'events', sim.events.stored, real.events.stored, 'count');
  row('delivered', 'events', sim.events.delivered, real.events.delivered, 'count');
  row('reshards', 'count', sim.kinesis.reshards, real.kinesis.reshards, 'value');
  row('shards max', 'shards', sim.kinesis.shardsMax, real.kinesis.shardsMax, 'value');
  row('first scale-up', 's', sim.scaling.kinesis.firstScaleUpAtSeconds, real.scaling.firstScaleUpAtSeconds, 'value');
  row('max iterator age', 'ms', sim.kinesis.maxIteratorAgeMs, real.kinesis.maxIteratorAgeMs, 'value', 'real: sampled every 250 ms wall, × time scale');
  row('ingest latency p50', 'ms', sim.ingestLatencyMs.p50, real.ingestLatencyMs.p50, 'value', 'wall-clock as measured; the simulator adds apiGateway.latencyMs');
  row('ingest latency p99', 'ms', sim.ingestLatencyMs.p99, real.ingestLatencyMs.p99, 'value');
  return {
    scenario: real.scenario,
    seed: real.seed,
    target: real.target,
    timeScale: real.timeScale,
    sample: real.sample,
    rows,
    notCompared: [
      'scaling lag and under-provisioned seconds: the real run does not track offered load against capacity per second yet',
      'cost per million events: the real run is not priced from metered usage yet',
    ],
  };
}

const num = (x: number | null, unit: string) =>
  x === null ? '—' : unit === 'ms' ? x.toFixed(1) : Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : String(+x.toFixed(2));

export function fidelityText(f: Fidelity): string {
  const header = `fidelity: ${f.scenario} (seed ${f.seed}), simulator vs ${f.target}${f.timeScale !== 1 || f.sample !== 1 ? ` at time scale ${f.timeScale}, sample ${+f.sample.toFixed(6)}` : ''}`;
  const lines = [header, `${'figure'.padEnd(26)}${'simulator'.padStart(14)}${'real'.padStart(14)}${'difference'.padStart(12)}`];
  for (const r of f.rows) {
    const diff = r.relDiff === null ? (r.sim === null || r.real === null ? '—' : 'n/a') : `${r.relDiff >= 0 ? '+' : ''}${(r.relDiff * 100).toFixed(1)}%`;
    lines.push(`${`${r.metric} (${r.unit})`.padEnd(26)}${num(r.sim, r.unit).padStart(14)}${num(r.real, r.unit).padStart(14)}${diff.padStart(12)}${r.differs ? '  > 10%' : ''}`);
  }
  lines.push(`not compared yet: ${f.notCompared.join('; ')}`);
  return lines.join('\n');
}
