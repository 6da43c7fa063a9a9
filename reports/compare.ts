/**
 * Architecture comparison and sweeps: parsing `--variant label:key=value,...` and `--sweep key=from..to[xF|+S]`,
 * ranking variants by cost per million DELIVERED events, disqualifying those that drop, lose or fail expectations
 * (never "cheapest", never part of a crossover), finding crossovers in a sweep, and the side-by-side report
 * (compare.md / compare.html). Running the simulations is the CLI's job; everything here is pure.
 */
import { parse as parseYaml } from 'yaml';
import type { ExpectationResult } from '../sim/expectations.ts';
import { citeSources } from '../sim/sources.ts';
import { auditFailures, type Summary } from '../sim/summary.ts';
import { type Block, renderHtml, renderMarkdown } from './doc.ts';
import { int, money, ms, num, pct, seconds, share, unitPrice } from './format.ts';
import { architectureLine, costServices, serviceColor, serviceLabel, verdict } from './run-report.ts';
import { CATEGORICAL, compact, lineChart, stackedBars } from './svg-chart.ts';

export interface VariantSpec {
  label: string;
  /** Dotted scenario keys → values, as `loadScenario` takes them. */
  overrides: Record<string, unknown>;
}

export interface VariantRun {
  label: string;
  overrides: Record<string, unknown>;
  summary: Summary;
  /** null when the scenario has no `expect:` section. */
  expectations: readonly ExpectationResult[] | null;
}

export class CompareSyntaxError extends Error {
  override name = 'CompareSyntaxError';
}

/** `ondemand:kinesis.mode=on-demand,dynamodb.mode=on-demand` → a variant. Values are YAML scalars. */
export function parseVariant(text: string): VariantSpec {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new CompareSyntaxError(`--variant expects label:key=value[,key=value], got "${text}"`);
  const label = text.slice(0, colon).trim();
  const body = text.slice(colon + 1);
  // Split on commas that start a new key=, so a value may itself hold commas (e.g. a flow list).
  const pairs = body.split(/,(?=\s*[\w.-]+\s*=)/).filter((p) => p.trim().length > 0);
  if (pairs.length === 0) throw new CompareSyntaxError(`--variant "${label}" sets nothing; expected label:key=value[,key=value]`);
  const overrides: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CompareSyntaxError(`--variant "${label}": expected key=value, got "${pair}"`);
    overrides[pair.slice(0, eq).trim()] = parseYaml(pair.slice(eq + 1));
  }
  return { label, overrides };
}

/**
 * The scenario's `variants:` section: a mapping of label → mapping of keys to values. Nested mappings are flattened
 * to dotted keys (`kinesis: { mode: on-demand }` = `kinesis.mode: on-demand`), so a variant changes only what it names.
 */
export function variantsFromScenario(section: unknown): VariantSpec[] {
  if (section === undefined || section === null) return [];
  if (typeof section !== 'object' || Array.isArray(section)) {
    throw new CompareSyntaxError('variants: expected a mapping of label → { key: value }');
  }
  return Object.entries(section as Record<string, unknown>).map(([label, body]) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new CompareSyntaxError(`variants.${label}: expected a mapping of scenario keys to values`);
    }
    const overrides: Record<string, unknown> = {};
    const walk = (prefix: string, value: unknown) => {
      if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(prefix.endsWith('autoscaler') || prefix.endsWith('autoscaling'))) {
        for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
      } else overrides[prefix] = value;
    };
    walk('', body);
    return { label, overrides };
  });
}

export interface SweepSpec {
  key: string;
  values: number[];
  /** Multiplicative ranges chart on a log axis. */
  multiplicative: boolean;
}

/**
 * `tenants.0.count=10..10000x10` (×10 each step), `...=100..1000+100` or `:100` (step 100), or a list `...=10,100,1000`;
 * a range without a step gives five even points. `flag` names the option in error messages (`plan --vary` reuses this).
 */
export function parseSweep(text: string, flag = '--sweep'): SweepSpec {
  const list = /^([\w.-]+)=([\d.eE+-]+(?:\s*,\s*[\d.eE+-]+)+)$/.exec(text.trim());
  if (list) {
    const values = list[2]!.split(',').map((v) => Number(v.trim()));
    const bad = list[2]!.split(',').find((v) => !Number.isFinite(Number(v.trim())));
    if (bad !== undefined) throw new CompareSyntaxError(`${flag} ${list[1]}: expected numbers in the list, got "${bad.trim()}"`);
    return { key: list[1]!, values: [...new Set(values)], multiplicative: false };
  }
  const m = /^([\w.-]+)=([\d.eE+-]+)\.\.([\d.eE+-]+?)(?:([x+:])([\d.eE+-]+))?$/.exec(text.trim());
  if (!m) throw new CompareSyntaxError(`${flag} expects key=from..to[x<factor>|:<step>] or key=v1,v2,... (e.g. tenants.0.count=10..10000x10), got "${text}"`);
  const [, key, a, b, op, s] = m;
  const from = Number(a);
  const to = Number(b);
  if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) throw new CompareSyntaxError(`${flag} ${key}: expected from ≤ to, got ${a}..${b}`);
  const values: number[] = [];
  if (op === 'x') {
    const factor = Number(s);
    if (!(factor > 1) || !(from > 0)) throw new CompareSyntaxError(`${flag} ${key}: a factor needs from > 0 and factor > 1, got ${a} and x${s}`);
    for (let v = from; v <= to * (1 + 1e-9); v *= factor) values.push(Number(v.toPrecision(12)));
  } else if (op === '+' || op === ':') {
    const step = Number(s);
    if (!(step > 0)) throw new CompareSyntaxError(`${flag} ${key}: the step must be > 0, got ${op}${s}`);
    for (let i = 0; from + i * step <= to + step * 1e-9; i++) values.push(Number((from + i * step).toPrecision(12)));
  } else {
    for (let i = 0; i < 5; i++) values.push(Number((from + ((to - from) * i) / 4).toPrecision(12)));
  }
  if (values.length > 50) throw new CompareSyntaxError(`${flag} ${key}: ${values.length} points is too many (at most 50)`);
  return { key: key!, values: [...new Set(values)], multiplicative: op === 'x' };
}

/**
 * Share of offered events a variant may drop after retries, or have refused for capacity at the front door (API
 * account throttle, ALB fleet), or leave undelivered when the drain ends, and still be ranked: 0.1%, unless the
 * scenario states its own tolerance as an expectation on `events.dropped` / `events.rejected`. Losing an accepted
 * event has no tolerance. Rejections by the tenant usage-plan limit or for size are the scenario's own policy, the
 * same in every variant, and do not disqualify.
 */
export const REFUSAL_TOLERANCE = 0.001;

/**
 * Why a run cannot be called cheapest or take part in a crossover, or undefined when it can: its audit fails or it
 * lost accepted events, it dropped or refused more than REFUSAL_TOLERANCE of offered events for capacity, it left
 * more than that undelivered, or it failed one of the scenario's expectations other than a cost ceiling.
 */
export function disqualification(run: { summary: Summary; expectations?: readonly ExpectationResult[] | null }): string | undefined {
  const s = run.summary;
  const e = s.events;
  const reasons = [...auditFailures(s)];
  // A scenario that states its own tolerance for drops or rejections (`events.dropped: rate < 0.30`) is judged by
  // it, through its expectations below; otherwise the default tolerance applies.
  const states = (key: string) => (run.expectations ?? []).some((x) => x.key === key);
  const capacityRefused =
    (states('events.dropped') ? 0 : e.dropped) +
    (states('events.rejected') ? 0 : s.apiGateway.rejectedAccountLimit + (s.apiGateway.rejectedFleetCapacity ?? 0));
  if (e.offered > 0 && capacityRefused / e.offered > REFUSAL_TOLERANCE) {
    reasons.push(`${share(capacityRefused, e.offered)} of offered events dropped or refused for capacity (tolerance ${pct(REFUSAL_TOLERANCE, 1)})`);
  }
  const reachedBoth = Math.min(e.stored, e.delivered);
  const undelivered = e.accepted - e.lost - reachedBoth;
  if (e.offered > 0 && undelivered / e.offered > REFUSAL_TOLERANCE) {
    reasons.push(`${share(undelivered, e.offered)} of offered events not yet stored and delivered when the drain ended (tolerance ${pct(REFUSAL_TOLERANCE, 1)})`);
  }
  if (s.cost.perMillionEventsUsd === null) reasons.push('delivered no events');
  // A cost ceiling does not disqualify: cost is what the ranking itself compares.
  const failed = (run.expectations ?? []).filter((x) => !x.pass && !x.key.startsWith('cost.'));
  if (failed.length > 0) reasons.push(`fails ${failed.length} of ${run.expectations!.length} expectations (${failed.map((f) => `${f.key} ${f.expected}`).join('; ')})`);
  return reasons.length ? reasons.join('; ') : undefined;
}

/**
 * Qualified runs first, cheapest per million delivered events first; then disqualified ones in the same order.
 * Stable for equal costs.
 */
export function rankVariants<T extends { summary: Summary; expectations?: readonly ExpectationResult[] | null }>(runs: readonly T[]): T[] {
  const cpm = (r: T) => r.summary.cost.perMillionEventsUsd ?? Infinity;
  const out = (r: T) => (disqualification(r) === undefined ? 0 : 1);
  return runs
    .map((r, i) => ({ r, i, out: out(r) }))
    .sort((a, b) => a.out - b.out || cpm(a.r) - cpm(b.r) || a.i - b.i)
    .map((x) => x.r);
}

/**
 * The ranking as the terminal prints it: qualified variants numbered cheapest first, then each disqualified one
 * with its reason, and the share of offered events each stored and delivered.
 */
export function rankingLines(runs: readonly VariantRun[]): string[] {
  let rank = 0;
  return rankVariants(runs).map((r) => {
    const s = r.summary;
    const cpm = s.cost.perMillionEventsUsd;
    const why = disqualification(r);
    const head = (why === undefined ? `${++rank}.` : '–').padEnd(3);
    const figures = `${(cpm === null ? '—' : money(cpm)).padStart(8)} per million delivered · stored ${share(s.events.stored, s.events.offered)}, delivered ${share(s.events.delivered, s.events.offered)} of offered · meets expectations: ${meetsLabel(r)}`;
    return `${head} ${r.label.padEnd(14)} ${figures}${why === undefined ? '' : `\n     disqualified: ${why}`}`;
  });
}

export function meetsLabel(run: Pick<VariantRun, 'expectations'>): string {
  if (run.expectations === null) return '—';
  const failed = run.expectations.filter((e) => !e.pass).length;
  return failed === 0 ? `yes (${run.expectations.length})` : `no (${failed} of ${run.expectations.length} failed)`;
}

/** The noun a swept key counts, for sentences: `tenants.0.count` → "tenants". */
export function sweepNoun(key: string): string {
  if (/^tenants\.\d+\.count$/.test(key)) return 'tenants';
  if (/^tenants\.\d+\.rate$/.test(key)) return 'events/s per tenant';
  if (key === 'kinesis.shards') return 'shards';
  if (key === 'traffic.scale') return "× today's traffic";
  return key;
}

export interface SweepPoint {
  value: number;
  runs: VariantRun[];
}

export interface Crossover {
  cheaperBelow: string;
  cheaperAbove: string;
  at: number;
  text: string;
}

/**
 * Where the cost-per-million ordering of two variants flips between adjacent sweep points, found by linear
 * interpolation of their difference: at = x₀ + (x₁ − x₀) · d₀ / (d₀ − d₁), with d = cost(a) − cost(b). A variant
 * disqualified at either point (see `disqualification`) has no cost there to compare: no crossover is drawn.
 */
export function findCrossovers(points: readonly SweepPoint[], key: string): Crossover[] {
  const labels = points[0]?.runs.map((r) => r.label) ?? [];
  const cpm = (p: SweepPoint, label: string) => {
    const run = p.runs.find((r) => r.label === label);
    return run && disqualification(run) === undefined ? run.summary.cost.perMillionEventsUsd : null;
  };
  const out: Crossover[] = [];
  const noun = sweepNoun(key);
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i]!;
      const b = labels[j]!;
      for (let k = 0; k + 1 < points.length; k++) {
        const p0 = points[k]!;
        const p1 = points[k + 1]!;
        const a0 = cpm(p0, a);
        const b0 = cpm(p0, b);
        const a1 = cpm(p1, a);
        const b1 = cpm(p1, b);
        if (a0 === null || b0 === null || a1 === null || b1 === null) continue;
        const d0 = a0 - b0;
        const d1 = a1 - b1;
        if (d0 === 0 || d1 === 0 || Math.sign(d0) === Math.sign(d1)) continue;
        // A run's cost is mostly fixed (capacity) plus per event, so cost per event is F/x + v: linear in 1/x. Interpolating
        // in 1/x makes the crossover exact for that shape, where interpolating in x would drift on coarse sweeps.
        const u0 = p0.value > 0 && p1.value > 0 ? 1 / p0.value : p0.value;
        const u1 = p0.value > 0 && p1.value > 0 ? 1 / p1.value : p1.value;
        const u = u0 + ((u1 - u0) * d0) / (d0 - d1);
        const at = p0.value > 0 && p1.value > 0 ? 1 / u : u;
        const below = d0 < 0 ? a : b;
        const above = d0 < 0 ? b : a;
        const shown = at >= 100 ? int(at) : num(at, 2);
        out.push({ cheaperBelow: below, cheaperAbove: above, at, text: `${below} is cheaper below ${shown} ${noun}; ${above} above` });
      }
    }
  }
  return out.sort((x, y) => x.at - y.at);
}

/** Every price printed, once per (service, item, tier, unit price), with its source, date and confidence. */
function pricesUsed(runs: readonly VariantRun[]): Block {
  const seen = new Map<string, string[]>();
  for (const r of runs) {
    for (const l of r.summary.cost.lines) {
      const key = `${l.service}|${l.item}|${l.tier ?? ''}|${l.unitPriceUsd}`;
      if (!seen.has(key)) seen.set(key, [serviceLabel(l.service), l.item, l.tier ?? '', unitPrice(l.unitPriceUsd), l.unit, l.source, l.asOf, l.confidence]);
    }
  }
  return { kind: 'table', head: ['service', 'item', 'tier', 'unit price', 'per', 'source', 'as of', 'confidence'], align: ['l', 'l', 'l', 'r', 'l', 'l', 'l', 'l'], rows: [...seen.values()] };
}

function overridesText(o: Record<string, unknown>): string {
  const entries = Object.entries(o);
  return entries.length === 0 ? 'as written' : entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
}

export interface CompareReportInput {
  scenario: string;
  description: string;
  runs: readonly VariantRun[];
  sweep?: { spec: SweepSpec; points: readonly SweepPoint[] };
  /** Whether sim/expectations.ts was available to evaluate `expect:`. */
  expectationsNote?: string;
}

function sideBySide(runs: readonly VariantRun[]): Block[] {
  const ranked = rankVariants(runs);
  const services = costServices(Object.fromEntries(runs.flatMap((r) => Object.entries(r.summary.cost.byService)).map(([k, v]) => [k, v]).filter(([, v]) => (v as number) > 0)) as Record<string, number>);
  const b: Block[] = [];
  b.push({
    kind: 'table',
    head: ['rank', 'variant', 'cost / M delivered', 'stored / delivered', 'run cost', 'Kinesis throttled', 'dropped', 'rejected', 'Kinesis lag', 'p99 latency', 'max iterator age', 'meets expectations'],
    align: ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    rows: ranked.map((r, i) => {
      const s = r.summary;
      const out = disqualification(r);
      return [
        out === undefined ? String(i + 1) : 'disqualified',
        r.label,
        s.cost.perMillionEventsUsd === null ? '—' : money(s.cost.perMillionEventsUsd),
        `${share(s.events.stored, s.events.offered)} / ${share(s.events.delivered, s.events.offered)}`,
        money(s.cost.totalUsd),
        int(s.kinesis.throttledRecords),
        `${int(s.events.dropped)} (${pct(s.events.dropped, s.events.offered)})`,
        `${int(s.events.rejected)} (${pct(s.events.rejected, s.events.offered)})`,
        seconds(s.scaling.kinesis.lagSeconds),
        ms(s.latencyMs.p99),
        ms(s.kinesis.maxIteratorAgeMs),
        meetsLabel(r),
      ];
    }),
  });
  const out = ranked.flatMap((r) => {
    const why = disqualification(r);
    return why === undefined ? [] : [`${r.label} is disqualified: ${why}.`];
  });
  if (out.length) b.push({ kind: 'list', items: out });
  b.push({ kind: 'note', text: `A variant is ranked only if it loses no accepted event, its audit balances, it meets every expectation (a cost ceiling aside: cost is what the ranking compares), and it drops, refuses for capacity or leaves undelivered at most ${pct(REFUSAL_TOLERANCE, 1)} of offered events (or what the scenario's own expectations on events.dropped and events.rejected allow). Cost per million counts delivered events (stored in DynamoDB and in S3).` });
  b.push({ kind: 'h3', text: 'Cost by service (for the run)' });
  b.push({
    kind: 'table',
    head: ['variant', ...services.map(serviceLabel), 'total'],
    align: ['l', ...services.map(() => 'r' as const), 'r'],
    rows: ranked.map((r) => [r.label, ...services.map((sv) => ((r.summary.cost.byService[sv] ?? 0) > 0 ? money(r.summary.cost.byService[sv]!) : '—')), money(r.summary.cost.totalUsd)]),
  });
  b.push({
    kind: 'chart',
    chart: {
      id: 'compare-cost-by-service',
      title: 'Cost by service per variant',
      caption: 'Ranked variants cheapest first, then disqualified ones. Hover a segment in the HTML for its amount; the table above has the numbers.',
      svg: stackedBars({
        id: 'compare-cost-by-service',
        title: 'Cost by service per variant (for the run), cheapest first',
        bars: ranked.map((r) => ({ label: disqualification(r) === undefined ? r.label : `${r.label} (disqualified)`, segments: services.map((sv) => ({ label: serviceLabel(sv), value: r.summary.cost.byService[sv] ?? 0, color: serviceColor(sv) })) })),
        format: money,
      }),
    },
  });
  return b;
}

function sweepBlocks(spec: SweepSpec, points: readonly SweepPoint[]): Block[] {
  const b: Block[] = [];
  const labels = points[0]?.runs.map((r) => r.label) ?? [];
  const noun = sweepNoun(spec.key);
  const x = points.map((p) => p.value);
  const runSeries = (f: (r: VariantRun) => number | null) =>
    labels.map((label, i) => ({
      label,
      values: points.map((p) => f(p.runs.find((r) => r.label === label)!) ?? Number.NaN),
      color: CATEGORICAL[i % CATEGORICAL.length]!,
    }));
  const series = (f: (s: Summary) => number | null) => runSeries((r) => f(r.summary));
  b.push({ kind: 'h2', text: `Sweep: ${spec.key} from ${compact(x[0] ?? 0)} to ${compact(x.at(-1) ?? 0)}` });
  const crossings = findCrossovers(points, spec.key);
  if (crossings.length > 0) b.push({ kind: 'list', items: crossings.map((c) => c.text + '.') });
  else if (labels.length > 1) b.push({ kind: 'p', text: 'No crossover in this range between qualified points: the cost-per-million ordering of the variants does not change.' });
  const outAt = labels.flatMap((label) => {
    const at = points.filter((p) => disqualification(p.runs.find((r) => r.label === label)!) !== undefined);
    if (at.length === 0) return [];
    const first = disqualification(at[0]!.runs.find((r) => r.label === label)!)!;
    return [`${label} is disqualified at ${at.length === points.length ? 'every point' : `${spec.key} = ${at.map((p) => compact(p.value)).join(', ')}`} (at ${compact(at[0]!.value)}: ${first}); its cost there is left out of the chart and of crossovers.`];
  });
  if (outAt.length) b.push({ kind: 'list', items: outAt });
  b.push({
    kind: 'chart',
    chart: {
      id: 'sweep-cost',
      title: `Cost per million delivered events vs ${noun}`,
      caption: `Each point is one simulated run; disqualified points are left out (gaps). Crossovers are interpolated between adjacent qualified points in 1/x (exact when cost is fixed + per event).${spec.multiplicative ? ' Logarithmic x axis.' : ''}`,
      svg: lineChart({ id: 'sweep-cost', title: `Cost per million delivered events vs ${noun}`, x, series: runSeries((r) => (disqualification(r) === undefined ? r.summary.cost.perMillionEventsUsd : null)), xLabel: spec.key, yLabel: 'USD per million delivered events', logX: spec.multiplicative, formatY: (v) => `$${compact(v)}` }),
    },
  });
  // Events, not attempts: each offered event is counted once, so the share never passes 100%.
  const refused = (s: Summary) => (s.events.offered > 0 ? (100 * (s.events.rejected + s.events.dropped)) / s.events.offered : 0);
  b.push({
    kind: 'chart',
    chart: {
      id: 'sweep-throttling',
      title: `Events refused vs ${noun}`,
      caption: 'Offered events rejected at the API or dropped after the producer\'s retries, as a share of offered events (each event counts once; Kinesis throttles that a retry recovered are not refusals).',
      svg: lineChart({ id: 'sweep-throttling', title: `Rejected + dropped, % of offered events, vs ${noun}`, x, series: series(refused), xLabel: spec.key, yLabel: '% of offered events', logX: spec.multiplicative }),
    },
  });
  b.push({
    kind: 'table',
    head: [spec.key, ...labels.map((l) => `${l}: cost / M delivered`), ...labels.map((l) => `${l}: dropped`)],
    align: ['r', ...labels.map(() => 'r' as const), ...labels.map(() => 'r' as const)],
    rows: points.map((p) => [
      num(p.value, 4),
      ...labels.map((l) => {
        const run = p.runs.find((r) => r.label === l)!;
        const c = run.summary.cost.perMillionEventsUsd;
        const cost = c === null ? '—' : money(c);
        return disqualification(run) === undefined ? cost : `${cost} (disqualified)`;
      }),
      ...labels.map((l) => {
        const s = p.runs.find((r) => r.label === l)!.summary;
        return pct(s.events.dropped, s.events.offered);
      }),
    ]),
  });
  return b;
}

export function compareBlocks(input: CompareReportInput): Block[] {
  const b: Block[] = [];
  b.push({ kind: 'h1', text: `Architecture comparison: ${input.scenario}` });
  if (input.description.trim()) b.push({ kind: 'p', text: input.description.trim() });
  b.push({ kind: 'h2', text: 'Variants' });
  b.push({
    kind: 'table',
    head: ['variant', 'overrides', 'architecture'],
    rows: input.runs.map((r) => [r.label, overridesText(r.overrides), architectureLine(r.summary)]),
  });
  if (input.runs.length > 0) {
    const ranked = rankVariants(input.runs);
    const qualified = ranked.filter((r) => disqualification(r) === undefined);
    const out = ranked.filter((r) => disqualification(r) !== undefined);
    const at = input.sweep ? ` at ${input.sweep.spec.key} = ${compact(input.sweep.points.at(-1)?.value ?? 0)}` : '';
    const shares = (r: VariantRun) => `${share(r.summary.events.stored, r.summary.events.offered)} of offered events stored, ${share(r.summary.events.delivered, r.summary.events.offered)} delivered`;
    const best = qualified[0];
    const text = best
      ? `Cheapest${at}: ${best.label} at ${money(best.summary.cost.perMillionEventsUsd!)} per million delivered events (${shares(best)})` +
        (out.length ? `; disqualified: ${out.map((r) => `${r.label} (${disqualification(r)})`).join('; ')}` : '') +
        '.'
      : `No variant qualifies${at}: ${out.map((r) => `${r.label}: ${disqualification(r)} (${shares(r)})`).join('; ')}.`;
    b.push({ kind: 'verdict', text, ok: best !== undefined });
    if (input.expectationsNote) b.push({ kind: 'note', text: input.expectationsNote });
    b.push({ kind: 'h2', text: input.sweep ? `Side by side (at ${input.sweep.spec.key} = ${compact(input.sweep.points.at(-1)?.value ?? 0)} for the swept runs)` : 'Side by side, cheapest qualified first' });
    b.push(...sideBySide(input.runs));
    b.push({ kind: 'h3', text: 'Per variant' });
    b.push({ kind: 'list', items: rankVariants(input.runs).map((r) => `${r.label}: ${verdict(r.summary, undefined, r.expectations ?? undefined).text}`) });
  }
  if (input.sweep) b.push(...sweepBlocks(input.sweep.spec, input.sweep.points));
  b.push({ kind: 'h2', text: 'Prices used' });
  b.push({ kind: 'p', text: 'Every price in this report, with its source, the date it was observed and how sure it is. Override any with --prices FILE.' });
  const all = input.sweep ? input.sweep.points.flatMap((p) => p.runs) : [];
  b.push(pricesUsed([...input.runs, ...all]));
  const first = input.runs[0] ?? all[0];
  if (first) {
    b.push({ kind: 'h2', text: 'Assumptions (first variant)' });
    b.push({ kind: 'table', head: ['parameter', 'value', 'why'], rows: first.summary.assumptions.map((x) => [x.parameter, x.value, citeSources(x.why)]) });
  }
  return b;
}

export function compareMarkdown(input: CompareReportInput): string {
  return renderMarkdown(compareBlocks(input));
}

export function compareHtml(input: CompareReportInput): string {
  return renderHtml(`ingestlab comparison: ${input.scenario}`, compareBlocks(input));
}
