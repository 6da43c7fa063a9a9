/**
 * `ingestlab loadgen export-k6 <scenario>`: the scenario's traffic as a k6 script in TypeScript (typed with @types/k6),
 * for load that outgrows one machine (k6 cloud, or Kubernetes with k6-operator and `parallelism`).
 *
 * - One `ramping-arrival-rate` scenario per tenant group. Its stages come from the simulator's own rate function
 *   (tenantRateAt): the rate is evaluated at every point where it can change slope or jump (startAt, stage ends,
 *   burst edges, trace periods), so linear ramps become k6 ramps, and bursts and trace steps become 0 s stages. One
 *   iteration is one request of `batchSize` events; rates are per minute (`timeUnit: '1m'`) so that low rates keep
 *   their fractions. Compressed time (--time-scale K, --sample F) shortens the stages by K and scales rates by K × F.
 * - The same payloads and keys as the load generator: iteration i of a group goes to the group's tenant i mod count
 *   with that tenant's next sequence numbers, and the event JSON (ids, sizes from the simulator's size quantiles,
 *   filler bytes) is byte for byte what loadgen/payload.ts builds for that tenant and sequence (tests check it).
 *   Keys are read at run time from KEYS_FILE (the file `pipeline up` writes), never written into the script.
 * - Retries of 429/503 as the scenario's `producer:` section says (full-jitter backoff; k6's Math.random jitter).
 * - Thresholds from `expect:` where a key maps to something k6 measures: ingest latency percentiles on
 *   http_req_duration, and rejected / dropped / accepted events (counts or rates) on the script's own metrics.
 *   The rest (Kinesis, DynamoDB, cost, scaling) are listed in the script as not checked by k6.
 *
 * Differences from the load generator, stated in the script too: k6 spaces iteration starts evenly (no Poisson noise),
 * and tenants take turns per request rather than per event.
 */
import type { Expectation } from '../sim/expectations.ts';
import { tenantRateAt, type TenantGroup } from '../sim/traffic.ts';
import type { Scenario } from '../scenarios/schema.ts';
import type { KeysFile } from './keys.ts';
import { quantileSizes } from './payload.ts';
import { scheduleShape } from './schedule.ts';
import { createRandom } from '../sim/engine/random.ts';

export interface ExportK6Options {
  /** Default API URL in the script (API_URL or the keys file's apiUrl win at run time). */
  readonly url?: string;
  /** Only checked: a keys file whose tenants the script will meet (its keys are never written into the script). */
  readonly keys?: KeysFile;
  readonly timeScale?: number;
  readonly sample?: number;
  readonly idPrefix?: string;
  /** Written in the header; default today. */
  readonly generatedOn?: string;
}

export interface K6Stage {
  /** k6 duration, e.g. `90000ms`. */
  readonly duration: string;
  /** Requests per minute at the stage's end. */
  readonly target: number;
}

export interface K6GroupPlan {
  readonly scenarioName: string;
  readonly exec: string;
  readonly startTime: string;
  readonly startRate: number;
  readonly stages: K6Stage[];
  readonly preAllocatedVUs: number;
  readonly maxVUs: number;
}

const ms = (seconds: number) => `${Math.round(seconds * 1000)}ms`;

/**
 * A group's k6 stages: requests per minute (wall), from the simulator's rate function at its breakpoints. Exact for
 * constant rates, linear stages, bursts and trace steps (each piece is linear between breakpoints).
 */
export function groupStages(group: TenantGroup, duration: number, options: { timeScale?: number; sample?: number; trafficScale?: number } = {}): { startRate: number; stages: K6Stage[]; peakPerSecond: number } {
  const K = options.timeScale ?? 1;
  const F = options.sample ?? 1 / K;
  const scale = options.trafficScale ?? 1;
  // Requests per wall minute at scenario time t.
  const perMinute = (t: number) => ((tenantRateAt(group, t) * group.count * scale * F) / group.batchSize) * K * 60;
  const points = new Set<number>([group.startAt, duration]);
  let at = group.startAt;
  for (const stage of group.stages ?? []) points.add((at += stage.duration));
  for (const b of group.bursts) {
    points.add(b.at);
    points.add(b.at + b.duration);
  }
  const series = group.trace?.series;
  if (series) for (let k = 1; k <= series.eventsPerSecond.length; k++) points.add(group.startAt + k * series.periodSeconds);
  const breaks = [...points].filter((p) => p >= group.startAt && p <= duration).sort((a, b) => a - b);
  const round = (x: number) => Math.max(0, Math.round(x));
  const startRate = round(perMinute(group.startAt));
  const stages: K6Stage[] = [];
  let current = startRate;
  let peak = startRate;
  let lastFlat = false;
  for (let i = 0; i + 1 < breaks.length; i++) {
    const a = breaks[i]!;
    const b = breaks[i + 1]!;
    if (b - a < 1e-9) continue;
    const right = round(perMinute(a));
    // The left limit at b: the piece's own value just before its end.
    const left = round(perMinute(b - Math.min(1e-6, (b - a) / 2)));
    if (right !== current) stages.push({ duration: '0ms', target: right });
    const last = stages.at(-1);
    const flat = right === left;
    // A constant piece after another constant piece at the same rate extends it.
    if (last && flat && lastFlat && last.target === left && last.duration !== '0ms') {
      stages[stages.length - 1] = { duration: ms(parseFloat(last.duration) / 1000 + (b - a) / K), target: left };
    } else stages.push({ duration: ms((b - a) / K), target: left });
    lastFlat = flat;
    current = left;
    peak = Math.max(peak, right, left);
  }
  return { startRate, stages, peakPerSecond: peak / 60 };
}

const K6_OPERATORS: Record<string, string> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=', '==': '==', '!=': '!=' };

/** k6 thresholds for the expectations that map, and the keys that do not. */
export function thresholdsOf(expect: readonly Expectation[], weight: number): { thresholds: Record<string, string[]>; unmapped: string[] } {
  const thresholds: Record<string, string[]> = {};
  const unmapped: string[] = [];
  const add = (metric: string, text: string) => (thresholds[metric] ??= []).push(text);
  const latency = /^ingestLatencyMs\.(p50|p95|p99|max)$/;
  const counted: Record<string, string> = {
    'events.rejected': 'ingest_events_rejected',
    'apiGateway.rejectedTenantLimit': 'ingest_events_rejected',
    'events.dropped': 'ingest_events_dropped',
    'events.accepted': 'ingest_events_accepted',
  };
  for (const e of expect) {
    const op = K6_OPERATORS[e.op]!;
    const m = latency.exec(e.key);
    if (e.kind === 'value' && e.source === 'summary' && m) {
      add('http_req_duration', `${m[1] === 'max' ? 'max' : `p(${m[1]!.slice(1)})`}${op}${e.threshold}`);
    } else if (e.source === 'summary' && counted[e.key] && e.kind === 'value') {
      // Counts in the script are events sent; the scenario counts scenario events (sent × weight).
      add(counted[e.key]!, `count${op}${+(e.threshold / weight).toPrecision(12)}`);
    } else if (e.source === 'summary' && counted[e.key] && e.kind === 'rate') {
      add(`${counted[e.key]!}_rate`, `rate${op}${e.threshold}`);
    } else unmapped.push(`${e.key}: "${e.text}"`);
  }
  return { thresholds, unmapped };
}

const sanitize = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');
const FILLER_SLACK = 4096;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The k6 script, as TypeScript text. */
export function exportK6Script(scenario: Scenario, options: ExportK6Options = {}): string {
  const shape = scheduleShape(scenario, {
    ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
    ...(options.sample !== undefined ? { sample: options.sample } : {}),
  });
  const trafficScale = (scenario as { traffic?: { scale?: number } }).traffic?.scale ?? 1;
  const K = shape.timeScale;
  const groups = scenario.tenants;
  const plans: K6GroupPlan[] = [];
  const configs: { name: string; count: number; batchSize: number; tenantOffset: number; sizes: number[] }[] = [];
  let maxSize = 0;
  groups.forEach((g, i) => {
    const { startRate, stages, peakPerSecond } = groupStages(g, scenario.duration, { timeScale: K, sample: shape.sample, trafficScale });
    const exec = `group_${i}`;
    plans.push({
      scenarioName: `${exec}_${sanitize(g.name)}`,
      exec,
      startTime: ms(g.startAt / K),
      startRate,
      stages,
      // VUs for half a second of the peak rate up front, and for 5 s of it at most (slow answers, retries).
      preAllocatedVUs: Math.max(2, Math.ceil(peakPerSecond * 0.5)),
      maxVUs: Math.max(10, Math.ceil(peakPerSecond * 5)),
    });
    const sizes = Array.from(quantileSizes(g.eventBytes));
    maxSize = Math.max(maxSize, ...sizes);
    configs.push({ name: g.name, count: g.count, batchSize: g.batchSize, tenantOffset: shape.groupFirstTenant[i]!, sizes: compressSizes(sizes) });
  });
  // The same filler as loadgen/payload.ts: characters drawn from the seed's payload stream.
  const random = createRandom(`${scenario.seed}:payload`);
  let filler = '';
  for (let i = 0; i < maxSize + FILLER_SLACK; i++) filler += ALPHABET[Math.floor(random.next() * ALPHABET.length)]!;
  const { thresholds, unmapped } = thresholdsOf(scenario.expect, shape.weight);
  const idPrefix = options.idPrefix ?? `s${scenario.seed}-`;
  const generatedOn = options.generatedOn ?? new Date().toISOString().slice(0, 10);
  const totalTenants = shape.tenantCount;
  const keysNote = options.keys
    ? `checked against a keys file of ${options.keys.tenants.length} tenant(s) at export; the keys themselves are read at run time`
    : 'read at run time';
  const scenarios: Record<string, Record<string, unknown>> = {};
  for (const p of plans) {
    scenarios[p.scenarioName] = {
      executor: 'ramping-arrival-rate',
      exec: p.exec,
      startTime: p.startTime,
      startRate: p.startRate,
      timeUnit: '1m',
      preAllocatedVUs: p.preAllocatedVUs,
      maxVUs: p.maxVUs,
      stages: p.stages,
    };
  }
  const json = (v: unknown, indent = 2) => JSON.stringify(v, null, indent);
  return `// Generated by \`ingestlab loadgen export-k6 ${scenario.name}\` on ${generatedOn}: scenario "${scenario.name}", seed ${scenario.seed},
// ${groups.length} tenant group(s), ${totalTenants} tenant(s), ${K === 1 && shape.sample === 1 ? 'real time' : `time scale ${K}, sample ${shape.sample} (each event stands for ${shape.weight})`}.
// Regenerate rather than edit. Keys: ${keysNote} from KEYS_FILE (default keys.json), the JSON that
// \`npm run pipeline -- up --keys-file keys.json\` writes: {"apiUrl", "tenants": [{"id", "apiKey"}]}.
//
//   KEYS_FILE=keys.json k6 run script.ts                     (k6 ≥ 0.52 runs TypeScript as it is)
//   API_URL=https://abc.execute-api.us-east-1.amazonaws.com/prod KEYS_FILE=keys.json k6 run script.ts
//
// One ramping-arrival-rate scenario per tenant group; one iteration is one request of the group's batchSize events.
// Unlike \`npm run loadgen\`, k6 spaces iterations evenly (the scenario's Poisson noise is not reproduced) and tenants
// take turns per request. Thresholds fail the run with exit code 99; under k6-operator each instance checks its own
// share only (k6 does not evaluate thresholds across instances).
${unmapped.length ? `//\n// Expectations k6 cannot check (run \`npm run check\` or \`npm run scenario -- --target\` for them):\n${unmapped.map((u) => `//   ${u}`).join('\n')}\n` : ''}
import http from 'k6/http';
import exec from 'k6/execution';
import { sleep } from 'k6';
import { Counter, Rate } from 'k6/metrics';
import type { Options } from 'k6/options';

interface GroupConfig {
  readonly name: string;
  readonly count: number;
  readonly batchSize: number;
  /** Global index of the group's first tenant. */
  readonly tenantOffset: number;
  /** Event sizes in bytes (the simulator's quantiles of eventBytes, run-length encoded as [size, repeat] pairs). */
  readonly sizes: readonly number[];
}

interface KeysFile {
  readonly apiUrl?: string;
  readonly tenants: readonly { readonly id: string; readonly apiKey: string }[];
}

export interface SetupData {
  /** Epoch ms of scenario time 0. */
  readonly startEpochMs: number;
}

/** What a stand-in for k6/http must offer (tests inject one). */
export interface HttpClient {
  post(url: string, body: string, params: { headers: Record<string, string>; tags: Record<string, string> }): { status: number; headers: Record<string, string> };
}

const SEED = ${scenario.seed};
const ID_PREFIX = ${json(idPrefix)};
const TIME_SCALE = ${K};
const WEIGHT = ${shape.weight};
const RETRY = ${json({ maxRetries: scenario.producer.maxRetries, backoffBaseMs: scenario.producer.backoffBaseMs, backoffMaxMs: scenario.producer.backoffMaxMs }, 0)};
const GROUPS: readonly GroupConfig[] = ${json(configs, 0)};
const FILLER_SLACK = ${FILLER_SLACK};
const FILLER = ${json(filler)};

const KEYS: KeysFile = JSON.parse(open(__ENV.KEYS_FILE || 'keys.json'));
const BASE_URL = (__ENV.API_URL || KEYS.apiUrl || ${json(options.url ?? 'http://127.0.0.1:3000')}).replace(/\\/+$/, '');
const SIZES: readonly (readonly number[])[] = GROUPS.map((g) => {
  const out: number[] = [];
  for (let i = 0; i < g.sizes.length; i += 2) for (let k = 0; k < g.sizes[i + 1]!; k++) out.push(g.sizes[i]!);
  return out;
});

/** Scenario tenant ids, \`<group>-<n>\`, as the load generator names them. */
function tenantIdOf(tenant: number): string {
  for (let g = GROUPS.length - 1; g >= 0; g--) {
    const group = GROUPS[g]!;
    if (tenant >= group.tenantOffset) return \`\${group.name}-\${tenant - group.tenantOffset + 1}\`;
  }
  throw new Error(\`no tenant \${tenant}\`);
}

/** Credentials: the keys file's tenant of the same id, else its tenants in turn (as loadgen/keys.ts assigns them). */
const CREDENTIALS: readonly { readonly tenantId: string; readonly apiKey: string }[] = (() => {
  const byId = new Map(KEYS.tenants.map((t) => [t.id, t] as const));
  let turn = 0;
  const out: { tenantId: string; apiKey: string }[] = [];
  for (let tenant = 0; tenant < ${totalTenants}; tenant++) {
    const own = byId.get(tenantIdOf(tenant));
    const t = own ?? KEYS.tenants[turn++ % KEYS.tenants.length]!;
    out.push({ tenantId: t.id, apiKey: t.apiKey });
  }
  return out;
})();

/** The load generator's payload hash (loadgen/payload.ts hash32). */
function hash32(...words: number[]): number {
  let h = 0x9e3779b9;
  for (const w of words) {
    h = Math.imul(h ^ (w >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

function eventJson(group: number, tenant: number, seq: number, timestamp: number): string {
  const tenantId = tenantIdOf(tenant);
  const head = \`{"id":"\${ID_PREFIX}\${tenantId}-\${seq}","timestamp":\${timestamp},"source":"\${tenantId}","seq":\${seq},"data":"\`;
  const sizes = SIZES[group]!;
  const pad = Math.max(0, sizes[hash32(SEED, tenant, seq, 1) % sizes.length]! - head.length - 2);
  const offset = hash32(SEED, tenant, seq, 2) % FILLER_SLACK;
  return \`\${head}\${FILLER.slice(offset, offset + pad)}"}\`;
}

/** Iteration \`iteration\` of group \`group\`: its tenant, path, headers and body. */
export function buildRequest(group: number, iteration: number, startEpochMs: number, nowMs: number, attempt = 0) {
  const g = GROUPS[group]!;
  const tenant = g.tenantOffset + (iteration % g.count);
  const firstSeq = Math.floor(iteration / g.count) * g.batchSize;
  const scenarioMs = Math.round((nowMs - startEpochMs) * TIME_SCALE);
  const timestamp = startEpochMs + scenarioMs;
  const events: string[] = [];
  for (let i = 0; i < g.batchSize; i++) events.push(eventJson(group, tenant, firstSeq + i, timestamp));
  const credential = CREDENTIALS[tenant]!;
  return {
    url: \`\${BASE_URL}/v1/tenants/\${encodeURIComponent(credential.tenantId)}/events\`,
    body: g.batchSize === 1 ? events[0]! : \`{"events":[\${events.join(',')}]}\`,
    params: {
      headers: {
        'content-type': 'application/json',
        'x-api-key': credential.apiKey,
        'x-ingestlab-weight': String(WEIGHT),
        'x-ingestlab-scenario-ms': String(scenarioMs),
        'x-ingestlab-time-scale': String(TIME_SCALE),
        'x-ingestlab-attempt': String(attempt),
      },
      tags: { group: g.name },
    },
    events: g.batchSize,
  };
}

const accepted = new Counter('ingest_events_accepted');
const rejected = new Counter('ingest_events_rejected');
const dropped = new Counter('ingest_events_dropped');
const failed = new Counter('ingest_events_failed');
const acceptedRate = new Rate('ingest_events_accepted_rate');
const rejectedRate = new Rate('ingest_events_rejected_rate');
const droppedRate = new Rate('ingest_events_dropped_rate');

/** Sends one request (retrying 429 and 503 as the scenario's producer section says) and records its outcome. */
export function send(group: number, data: SetupData, iteration: number = exec.scenario.iterationInTest, client: HttpClient = http as unknown as HttpClient): number {
  const sentAt = Date.now();
  for (let attempt = 0; ; attempt++) {
    const req = buildRequest(group, iteration, data.startEpochMs, sentAt, attempt);
    const res = client.post(req.url, req.body, req.params);
    const retryable = res.status === 429 || res.status === 503 || res.status === 0;
    if (retryable && attempt < RETRY.maxRetries) {
      let waitMs = Math.random() * Math.min(RETRY.backoffMaxMs, RETRY.backoffBaseMs * 2 ** (attempt + 1));
      const retryAfter = Number(res.headers['Retry-After'] ?? res.headers['retry-after']);
      if (res.status === 429 && Number.isFinite(retryAfter)) waitMs = Math.max(waitMs, retryAfter * 1000);
      sleep(waitMs / 1000 / TIME_SCALE);
      continue;
    }
    const ok = res.status >= 200 && res.status < 300;
    for (let i = 0; i < req.events; i++) {
      acceptedRate.add(ok);
      rejectedRate.add(res.status === 429);
      droppedRate.add(res.status === 503);
    }
    if (ok) accepted.add(req.events);
    else if (res.status === 429) rejected.add(req.events);
    else if (res.status === 503) dropped.add(req.events);
    else failed.add(req.events);
    return res.status;
  }
}

export const options: Options = {
  scenarios: ${scenariosText(scenarios)},
  thresholds: ${json(thresholds, 2).replace(/\n/g, '\n  ')},
};

export function setup(): SetupData {
  return { startEpochMs: Date.now() };
}

${plans.map((p, i) => `/** Tenant group "${groups[i]!.name}". */\nexport function ${p.exec}(data: SetupData): void {\n  send(${i}, data);\n}`).join('\n\n')}
`;
}

/** The scenarios object as TypeScript, one k6 stage per line (a trace has hundreds). */
function scenariosText(scenarios: Record<string, Record<string, unknown>>): string {
  const parts = Object.entries(scenarios).map(([name, sc]) => {
    const { stages, ...rest } = sc as { stages: K6Stage[] };
    const fields = Object.entries(rest).map(([k, v]) => `      ${k}: ${JSON.stringify(v)},`);
    const stageLines = stages.map((st) => `        { duration: ${JSON.stringify(st.duration)}, target: ${st.target} },`);
    return [`    ${JSON.stringify(name)}: {`, ...fields, '      stages: [', ...stageLines, '      ],', '    },'].join('\n');
  });
  return ['{', ...parts, '  }'].join('\n');
}

/** Run-length encodes a sorted size table (constant sizes are one pair, distributions a few hundred). */
function compressSizes(sizes: readonly number[]): number[] {
  const out: number[] = [];
  for (const s of sizes) {
    if (out.length > 0 && out[out.length - 2] === s) out[out.length - 1] = out[out.length - 1]! + 1;
    else out.push(s, 1);
  }
  return out;
}
