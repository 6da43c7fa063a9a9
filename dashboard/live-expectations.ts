/**
 * The scenario's expectations judged while the run goes: the evaluator of sim/expectations.ts applied to a summary
 * and timeline of the run so far, built from the simulation's public counters without disturbing it.
 *
 * Counts only grow, so an upper bound (`< 100`, `== 0`) that fails now stays broken: it turns red at once. A lower
 * bound (`> 1000000`) not reached yet may still be reached, and a field with no value yet (no scale-up so far) may
 * still get one: both stay pending until the run ends.
 */
import { evaluateExpectations, type Expectation, type ExpectationResult, type TimelineLike } from '../sim/expectations.ts';
import type { CostReport } from '../sim/pricing/cost-meter.ts';
import type { Simulation } from '../sim/simulation.ts';
import { buildSummary, type Summary } from '../sim/summary.ts';
import { compact } from './chart.ts';
import type { ExpectationView } from './run-source.ts';

/** The summary of `[0, sim.time)` as if the run ended now (in-flight events counted as in flight). */
export function summarySoFar(sim: Simulation, cost: CostReport, shardsInitial: number): Summary {
  const usage = sim.usageSoFar();
  const summary = buildSummary({
    scenario: sim.scenario,
    totals: sim.totals,
    drainSeconds: Math.max(0, sim.time - sim.duration),
    inFlightAtEnd: sim.inFlight(),
    kinesis: sim.kinesis,
    shardsInitial,
    dynamodb: sim.dynamodb,
    dynamodbUsage: { ...sim.dynamodb.usage(), ...usage.dynamodb },
    firehose: sim.firehose,
    usage,
    cost,
    latency: sim.latency.summary(),
    ingestLatency: sim.ingestLatency.summary(),
    kinesisLag: sim.kinesisLag,
    ddbLag: sim.ddbLag,
    actions: sim.actions,
  });
  return { ...summary, durationSeconds: Math.min(sim.time, sim.duration) };
}

/** Judges `expectations` against a summary and timeline; `final` when the run has ended. */
export function judgeExpectations(
  expectations: readonly Expectation[],
  summary: Summary,
  timeline: TimelineLike,
  final: boolean,
): ExpectationView[] {
  const results = evaluateExpectations(expectations, summary, timeline);
  return results.map((r, i) => toView(expectations[i]!, r, final));
}

function toView(e: Expectation, r: ExpectationResult, final: boolean): ExpectationView {
  const reachable = e.op === '>' || e.op === '>=' || (e.op === '==' && r.actual !== null && r.actual < e.threshold);
  // A null field (no scale-up yet, nothing accepted yet) may still get a value.
  const status = r.pass ? 'ok' : !final && (reachable || r.actual === null) ? 'pending' : 'broken';
  return {
    label: `${r.key} ${r.expected}`,
    status,
    ...(r.actual === null ? {} : { detail: `${e.kind === 'rate' || r.actual % 1 !== 0 ? formatSmall(r.actual) : compact(r.actual)}` }),
  };
}

function formatSmall(x: number): string {
  if (x === 0) return '0';
  if (Math.abs(x) >= 1000) return compact(x);
  return Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(2);
}
