/**
 * Drives a scenario's arrival schedule (schedule.ts) into an ingest API over HTTP with autocannon's programmatic API,
 * as an open model, and measures what happened.
 *
 * How autocannon is used. Its own rate control cannot express a time-varying open-model schedule: `overallRate` and
 * `connectionRate` are fixed per run, counted per second (a connection sends back to back until its budget for the
 * second is spent, then pauses until the next 1 s tick), and a connection only sends after its previous response
 * (closed loop). Ramps, bursts and Poisson gaps cannot be expressed that way, and per-second segments would lose
 * keep-alive connections at every boundary and still burst at the start of each second. So autocannon is used as the
 * HTTP engine (its keep-alive connections, request builder, response parser, timeouts and reconnects) and this file
 * paces it: `setupClient` wraps each client's request trigger, so that a client that becomes free (connected, or
 * answered) parks in a free list instead of sending at once; a dispatcher hands each request of the schedule to a free
 * client at its intended time (a timer to the next one; lateness shows up as send lag, reported). The request's path,
 * headers and body come through `setupRequest`. That wrapper touches one non-public method, `Client._doRequest`, which
 * autocannon 9 calls in exactly these places (connect, response, rate tick); the tests here fail if that changes.
 *
 * Open model: a request is sent at its intended time whatever the server does, as long as a connection is free;
 * connections are sized from the schedule's peak rate (`connections`), and when all are busy the request waits and
 * its wait is counted, never hidden: latency is measured from the intended send time (coordinated omission
 * corrected), into HDR histograms, and the send lag (actual − intended send time) is reported beside it.
 */
import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';
import { createRandom } from '../sim/engine/random.ts';
import type { LatencySummary } from '../sim/latency.ts';
import type { TenantGroup } from '../sim/traffic.ts';
import type { TenantCredential } from './keys.ts';
import { PayloadFactory } from './payload.ts';
import { ScheduleCursor, scenarioTenantIds, scheduleTotals, type ScheduledRequest, type ScheduleScenario } from './schedule.ts';

/** Headers that let the quota gateway count in scenario units (docs/loadgen.md). */
export const HEADERS = {
  /** Events each event of this request stands for: 1 / sample. */
  weight: 'x-ingestlab-weight',
  /** Scenario milliseconds since the scenario's start at the request's intended send time. */
  scenarioTime: 'x-ingestlab-scenario-ms',
  /** Scenario seconds per wall second (K). */
  timeScale: 'x-ingestlab-time-scale',
  /** 0 for a first attempt, k for the k-th retry. */
  attempt: 'x-ingestlab-attempt',
} as const;

export interface RetryPolicy {
  /** Retries of a request answered 429 or 503, or failed on its connection; then it is given up. */
  readonly maxRetries: number;
  /** Full-jitter exponential backoff (scenario ms): attempt k waits uniform(0, min(cap, base × 2^k)). */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** Wait at least the server's Retry-After (seconds, scenario time) before retrying a 429; default true. */
  readonly honourRetryAfter?: boolean;
}

export interface LoadProgress {
  /** Wall seconds since the schedule started, and its span. */
  readonly elapsed: number;
  readonly wallDuration: number;
  /** Requests sent (first attempts) in the last full wall second, and scheduled for it. */
  readonly rate: number;
  readonly targetRate: number;
  readonly sent: number;
  readonly scheduled: number;
  readonly inFlight: number;
  readonly accepted: number;
  readonly throttled: number;
  readonly failed: number;
}

export interface LoadOptions {
  /** Base URL of the ingest API (a path prefix such as an API Gateway stage is kept). */
  readonly url: string;
  readonly scenario: ScheduleScenario & { readonly name?: string; readonly tenants: readonly TenantGroup[] };
  /** One per scenario tenant, in global tenant order (keys.ts assignCredentials). */
  readonly credentials: readonly TenantCredential[];
  readonly timeScale?: number;
  readonly sample?: number;
  readonly retry?: RetryPolicy;
  /** Concurrent keep-alive connections; default from the peak scheduled rate (see defaultConnections). */
  readonly connections?: number;
  /** Per-request timeout, wall seconds (default 10). */
  readonly timeoutSeconds?: number;
  /** After the schedule ends, how long to wait for answers and retries (wall seconds, default 30). */
  readonly drainSeconds?: number;
  /** Epoch ms of scenario time 0 in event timestamps (default: when the run starts). */
  readonly startEpochMs?: number;
  readonly idPrefix?: string;
  /** A worker's share of the tenants. */
  readonly tenantFilter?: (tenant: number) => boolean;
  readonly onProgress?: (progress: LoadProgress) => void;
  /**
   * Called at the schedule's wall time 0 (a scenario clock can start with it), with live read-only views of the run's
   * counts so far (sent units), for a live display.
   */
  readonly onStart?: (live: LiveLoadCounts) => void;
  readonly signal?: AbortSignal;
}

/** The counts of a running load, as they grow (the objects the result reports at the end). */
export interface LiveLoadCounts {
  readonly sent: Readonly<LoadResult['sent']>;
  readonly events: Readonly<LoadResult['events']>;
}

/** Counts and encoded histograms: what one driver (or one worker) measured; merge with mergeLoadResults. */
export interface LoadResult {
  readonly url: string;
  readonly timeScale: number;
  readonly sample: number;
  readonly weight: number;
  readonly connections: number;
  readonly wallDuration: number;
  /** Wall seconds from the start of the schedule to the last answer. */
  readonly elapsedSeconds: number;
  /** First attempts scheduled and actually sent, and the events they carry (sent units, not weighted). */
  readonly scheduled: { requests: number; events: number };
  readonly sent: { requests: number; events: number; retries: number };
  /** Wall time of the last first-attempt send (s); the achieved rate is over max(wallDuration, this). */
  readonly lastSendAt: number;
  /** First attempts sent per wall second (index = second). */
  readonly sentPerSecond: number[];
  /** First attempts scheduled per wall second, and the events they carry (sent units). */
  readonly scheduledPerSecond: number[];
  readonly scheduledEventsPerSecond: number[];
  /** Final outcome of every event (sent units): accepted in a 2xx; rejected 429 after the retries; dropped: never put
   * to Kinesis (named in the `failed` list of the last 503 after the retries, the simulator's dropped); put but
   * unacknowledged: Kinesis took it but its request (attempt) was answered 503 for others (it is stored); failed: any
   * other answer (400, 401, 403, 413, 415, other 5xx); errors: no answer after the retries. */
  readonly events: { accepted: number; rejected: number; dropped: number; putUnacknowledged: number; failed: number; errors: number; unsent: number };
  /** Answers by status code, every attempt. */
  readonly statuses: Record<string, number>;
  readonly connectionErrors: number;
  readonly timeouts: number;
  /** Requests that fell due while every connection was busy (they waited: raise `connections`). */
  readonly connectionWaits: number;
  readonly aborted: boolean;
  /** HDR histograms in microseconds, compressed base64 (hdr-histogram-js). */
  readonly histograms: { latency: string; ingestLatency: string; sendLag: string };
}

/** Measured figures with the simulator's percentile keys (sim/latency.ts), in milliseconds. */
export interface LoadReport extends Omit<LoadResult, 'histograms'> {
  readonly targetRate: number;
  readonly achievedRate: number;
  /** achievedRate / targetRate. */
  readonly rateRatio: number;
  /** Every attempt, from its intended send time to its answer (coordinated-omission corrected). */
  readonly latencyMs: LatencySummary;
  /** Per accepted event, from its first attempt's intended send time to the 2xx (retries and backoff included):
   * the figure beside the simulator's ingestLatencyMs. */
  readonly ingestLatencyMs: LatencySummary;
  readonly sendLagMs: LatencySummary;
}

const HIST = { lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 } as const;
const newHistogram = () => hdr.build({ ...HIST, bitBucketSize: 64 });

/**
 * Connections for a peak rate: enough for answers taking 500 ms at that rate, but no more than 250 unless answers of
 * 100 ms need more (16 at least, 1,000 at most). autocannon opens them all at the start and cannot add more; too few
 * turn an open model into a closed one (see `connectionWaits`): a pipeline that throttles answers only after its
 * retries, and a burst-spike run at 120 requests/s with 21 connections made 12,139 of 14,432 requests wait. Too many
 * cost the generator CPU (at 2,000 requests/s on this machine, 500 connections kept up worse than 100).
 */
export function defaultConnections(peakRequestsPerSecond: number): number {
  const patient = Math.ceil(peakRequestsPerSecond * 0.5);
  const quick = Math.ceil(peakRequestsPerSecond * 0.1);
  return Math.max(16, Math.min(1000, Math.min(patient, Math.max(250, quick))));
}

/** The next intended send: a first attempt from the schedule, or a retry. */
interface Attempt {
  readonly req: ScheduledRequest;
  /** Intended send time of this attempt (wall s). */
  readonly at: number;
  readonly attempt: number;
  /** The request's events this attempt carries (indexes, ascending); undefined: all of them. A retry after a 503
   * resends only the events its body named as not put. */
  readonly only?: readonly number[];
}

/**
 * The events of a 503 that Kinesis did not take, as indexes into the events `sent` (the ingest API's body names them:
 * `failed: [{index, id}]`, docs/pipeline.md). Undefined when the body does not say (another API, or a 503 of a
 * closing server): then none of them is known to be in the stream.
 */
export function notPutIndexes(body: string | undefined, sent: number): number[] | undefined {
  if (!body) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const failed = (parsed as { failed?: unknown } | null)?.failed;
  if (!Array.isArray(failed)) return undefined;
  const out: number[] = [];
  for (const f of failed) {
    const index = (f as { index?: unknown } | null)?.index;
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= sent) return undefined;
    out.push(index as number);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

interface Pending {
  readonly attempt: Attempt;
  readonly sentAt: number;
}

interface PacedClient {
  /** autocannon's own send, captured by setupClient. */
  send: () => void;
  setRequest: (request: Record<string, unknown>) => void;
  reqsMade: number;
  pending: Pending | undefined;
  retryAfter: number | undefined;
  free: boolean;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { scenario } = options;
  const scheduleOptions = {
    ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
    ...(options.sample !== undefined ? { sample: options.sample } : {}),
    ...(options.tenantFilter ? { tenantFilter: options.tenantFilter } : {}),
  };
  const plan = scheduleTotals(scenario, scheduleOptions);
  const cursor = new ScheduleCursor(scenario, scheduleOptions);
  const shape = cursor.shape;
  const tenantIds = scenarioTenantIds(scenario);
  if (options.credentials.length !== tenantIds.length) {
    throw new RangeError(`expected ${tenantIds.length} tenant credentials (one per scenario tenant), got ${options.credentials.length}`);
  }
  const base = new URL(options.url);
  const prefix = base.pathname.replace(/\/+$/, '');
  const paths = options.credentials.map((c) => `${prefix}/v1/tenants/${encodeURIComponent(c.tenantId)}/events`);
  const startEpochMs = options.startEpochMs ?? Date.now();
  const payloads = new PayloadFactory(scenario.tenants, tenantIds, {
    seed: scenario.seed,
    startEpochMs,
    ...(options.idPrefix !== undefined ? { idPrefix: options.idPrefix } : {}),
  });
  const retry: RetryPolicy = options.retry ?? { maxRetries: 0, backoffBaseMs: 100, backoffMaxMs: 20_000 };
  const jitter = createRandom(`${scenario.seed}:retry`);
  const connections = options.connections ?? defaultConnections(plan.peakRequestsPerSecond);
  const timeoutSeconds = options.timeoutSeconds ?? 10;
  const drainSeconds = options.drainSeconds ?? 30;
  const K = shape.timeScale;

  const latency = newHistogram();
  const ingestLatency = newHistogram();
  const sendLag = newHistogram();
  const statuses: Record<string, number> = {};
  const events = { accepted: 0, rejected: 0, dropped: 0, putUnacknowledged: 0, failed: 0, errors: 0, unsent: 0 };
  /** The body of the answer being completed, when it is a 503 (autocannon hands it over just before 'response'). */
  let answerBody: string | undefined;
  const onResponse = (status: number, body: string) => {
    answerBody = status === 503 ? body : undefined;
  };
  const sent = { requests: 0, events: 0, retries: 0 };
  const wallSeconds = Math.max(1, Math.ceil(shape.wallDuration));
  const sentPerSecond = new Array<number>(wallSeconds).fill(0);
  let connectionErrors = 0;
  let connectionWaits = 0;
  let lastWaiting: ScheduledRequest | undefined;
  let timeouts = 0;
  let lastSendAt = 0;
  let lastAnswerAt = 0;
  let inFlight = 0;
  let aborted = false;

  /** Retries waiting for their time, kept sorted by `at` (few compared with the schedule). */
  const retries: Attempt[] = [];
  const free: PacedClient[] = [];
  const clients: PacedClient[] = [];
  /** autocannon's clients, to see their sockets connect. */
  const rawClients: { conn?: { connecting: boolean } }[] = [];
  let t0 = Number.NaN;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;
  let current: Record<string, unknown> | undefined;
  let finish: () => void = () => {};
  const now = () => (performance.now() - t0) / 1000;

  const headersFor = (a: Attempt): Record<string, string> => ({
    'content-type': 'application/json',
    'x-api-key': options.credentials[a.req.tenant]!.apiKey,
    [HEADERS.weight]: String(shape.weight),
    [HEADERS.scenarioTime]: String(Math.round(a.at * K * 1000)),
    [HEADERS.timeScale]: String(K),
    [HEADERS.attempt]: String(a.attempt),
  });

  const nextDue = (): Attempt | undefined => {
    const r = cursor.peek();
    const retryHead = retries[0];
    if (retryHead && (!r || retryHead.at <= r.at)) return retryHead;
    return r ? { req: r, at: r.at, attempt: 0 } : undefined;
  };
  const take = (a: Attempt) => {
    if (a.attempt > 0) retries.shift();
    else cursor.next();
  };

  const dispatch = () => {
    if (Number.isNaN(t0) || aborted) return;
    const t = now();
    for (;;) {
      const due = nextDue();
      if (!due) break;
      if (due.at > t) {
        armTimer(due.at);
        break;
      }
      const client = free.pop();
      if (!client) {
        // Every connection is busy: the request waits, and its lag is measured.
        if (lastWaiting !== due.req) connectionWaits++;
        lastWaiting = due.req;
        break;
      }
      take(due);
      sendOn(client, due);
    }
    maybeFinish();
  };

  const armTimer = (at: number) => {
    if (timer && timerAt <= at) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timer = undefined;
      timerAt = Infinity;
      dispatch();
    }, Math.max(0, (at - now()) * 1000));
  };

  const sendOn = (client: PacedClient, a: Attempt) => {
    const body = payloads.body(a.req, scenario.tenants[a.req.group]!.batchSize, a.only);
    current = { method: 'POST', path: paths[a.req.tenant], headers: headersFor(a), body, onResponse };
    const sentAt = now();
    client.pending = { attempt: a, sentAt };
    client.free = false;
    client.retryAfter = undefined;
    inFlight++;
    if (a.attempt === 0) {
      sent.requests++;
      sent.events += a.req.events;
      lastSendAt = Math.max(lastSendAt, sentAt);
      const s = Math.min(wallSeconds - 1, Math.max(0, Math.floor(sentAt)));
      sentPerSecond[s]!++;
    } else sent.retries++;
    sendLag.recordValue(Math.max(1, Math.round((sentAt - a.at) * 1e6)));
    // A client that has not sent yet writes its current request as built; later ones rebuild it through setupRequest.
    if (client.reqsMade === 0) client.setRequest(current);
    client.send();
  };

  /** A request's answer (status) or failure (status 0: connection error or timeout). */
  const complete = (client: PacedClient, status: number, timedOut = false) => {
    const p = client.pending;
    if (!p) return;
    client.pending = undefined;
    inFlight--;
    const t = now();
    lastAnswerAt = Math.max(lastAnswerAt, t);
    const { attempt: a } = p;
    const n = a.only?.length ?? a.req.events;
    const body = answerBody;
    answerBody = undefined;
    if (status > 0) {
      statuses[status] = (statuses[status] ?? 0) + 1;
      latency.recordValue(Math.max(1, Math.round((t - a.at) * 1e6)));
    } else if (timedOut) timeouts++;
    else connectionErrors++;
    if (status >= 200 && status < 300) {
      events.accepted += n;
      ingestLatency.recordValueWithCount(Math.max(1, Math.round((t - a.req.at) * 1e6)), n);
      return;
    }
    // A 503 that names the events Kinesis did not take: the others are in the stream (put but unacknowledged), and
    // only the named ones are dropped, or resent by a retry.
    let only = a.only;
    let notPut = n;
    if (status === 503) {
      const failed = notPutIndexes(body, n);
      if (failed) {
        notPut = failed.length;
        events.putUnacknowledged += n - notPut;
        only = failed.map((i) => (a.only ? a.only[i]! : i));
        if (notPut === 0) return;
      }
    }
    const retryable = status === 429 || status === 503 || status === 0;
    if (retryable && a.attempt < retry.maxRetries && !aborted) {
      const k = a.attempt + 1;
      let waitMs = jitter.next() * Math.min(retry.backoffMaxMs, retry.backoffBaseMs * 2 ** k);
      if (status === 429 && client.retryAfter !== undefined && retry.honourRetryAfter !== false) waitMs = Math.max(waitMs, client.retryAfter * 1000);
      const at = t + waitMs / 1000 / K;
      const next: Attempt = { req: a.req, at, attempt: k, ...(only ? { only } : {}) };
      let i = retries.length;
      while (i > 0 && retries[i - 1]!.at > at) i--;
      retries.splice(i, 0, next);
      return;
    }
    if (status === 429) events.rejected += n;
    else if (status === 503) events.dropped += notPut;
    else if (status === 0) events.errors += n;
    else events.failed += n;
  };

  const maybeFinish = () => {
    if (inFlight === 0 && retries.length === 0 && !cursor.peek()) finish();
  };

  const onFree = (client: PacedClient) => {
    if (client.pending) {
      // autocannon reconnects (and asks for the next request) when a connection fails, closes or times out.
      const timedOut = now() - client.pending.sentAt >= timeoutSeconds - 0.001;
      complete(client, 0, timedOut);
    }
    if (!client.free) {
      client.free = true;
      free.push(client);
    }
    dispatch();
  };

  const peakConnections = connections;
  const instance = autocannon(
    {
      url: options.url,
      connections: peakConnections,
      pipelining: 1,
      timeout: timeoutSeconds,
      // autocannon must not stop on its own: the dispatcher stops it once every request has its answer.
      duration: shape.wallDuration + drainSeconds + timeoutSeconds + 60,
      sampleInt: 200,
      method: 'POST',
      // onResponse hands each answer's body over (read for a 503's list of events not put); autocannon calls it just
      // before the client's 'response' event, in the same tick.
      requests: [{ method: 'POST', setupRequest: (req: any) => ({ ...req, ...current }), onResponse }],
      setupClient: (raw: any) => {
        const client: PacedClient = {
          send: raw._doRequest.bind(raw),
          setRequest: (r) => raw.setRequest(r),
          get reqsMade() {
            return raw.reqsMade as number;
          },
          pending: undefined,
          retryAfter: undefined,
          free: false,
        };
        clients.push(client);
        rawClients.push(raw);
        raw._doRequest = () => onFree(client);
        raw.on('headers', (info: { statusCode: number; headers: string[] }) => {
          for (let i = 0; i < info.headers.length; i += 2) {
            if (info.headers[i]!.toLowerCase() === 'retry-after') {
              const seconds = Number(info.headers[i + 1]);
              if (Number.isFinite(seconds)) client.retryAfter = seconds;
            }
          }
        });
        raw.on('response', (status: number) => complete(client, status));
      },
    } as any,
    () => {},
  ) as any;

  const done = new Promise<void>((resolve) => {
    instance.on('done', () => resolve());
  });
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });

  // The connections open before the first intended send (at most 5 s; hundreds take a moment on a busy machine).
  const opening = performance.now();
  while (rawClients.some((c) => c.conn?.connecting) && performance.now() - opening < 5_000) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 20));
  t0 = performance.now();
  options.onStart?.({ sent, events });
  dispatch();

  let lastProgressSecond = -1;
  let progressRate = 0;
  let progressTarget = 0;
  const progressTimer = options.onProgress
    ? setInterval(() => {
        const t = now();
        const second = Math.floor(t) - 1;
        if (second >= 0 && second !== lastProgressSecond && second < wallSeconds) {
          lastProgressSecond = second;
          progressRate = sentPerSecond[second] ?? 0;
          progressTarget = plan.requestsPerSecond[second] ?? 0;
        }
        options.onProgress!({
          elapsed: t,
          wallDuration: shape.wallDuration,
          rate: progressRate,
          targetRate: progressTarget,
          sent: sent.requests,
          scheduled: plan.requests,
          inFlight,
          accepted: events.accepted,
          throttled: statuses[429] ?? 0,
          failed: events.failed + events.dropped + events.errors,
        });
      }, 250)
    : undefined;

  const onAbort = () => {
    aborted = true;
    finish();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const deadline = setTimeout(onAbort, (shape.wallDuration + drainSeconds) * 1000);

  await finished;
  clearTimeout(deadline);
  if (timer) clearTimeout(timer);
  if (progressTimer) clearInterval(progressTimer);
  options.signal?.removeEventListener('abort', onAbort);
  const elapsedSeconds = Math.max(now(), lastAnswerAt);
  instance.stop();
  await done;

  // Whatever never got an answer (stopped early): requests still scheduled, retries waiting, answers outstanding.
  for (let r = cursor.next(); r; r = cursor.next()) events.unsent += r.events;
  for (const a of retries) events.unsent += a.only?.length ?? a.req.events;
  // Answers still outstanding when the run was stopped never came: no answer, like a timeout.
  for (const c of clients) if (c.pending) events.errors += c.pending.attempt.only?.length ?? c.pending.attempt.req.events;

  return {
    url: options.url,
    timeScale: K,
    sample: shape.sample,
    weight: shape.weight,
    connections: peakConnections,
    wallDuration: shape.wallDuration,
    elapsedSeconds,
    scheduled: { requests: plan.requests, events: plan.events },
    sent,
    lastSendAt,
    sentPerSecond,
    scheduledPerSecond: plan.requestsPerSecond,
    scheduledEventsPerSecond: plan.eventsPerSecond,
    events,
    statuses,
    connectionErrors,
    timeouts,
    connectionWaits,
    aborted,
    histograms: {
      latency: hdr.encodeIntoCompressedBase64(latency),
      ingestLatency: hdr.encodeIntoCompressedBase64(ingestLatency),
      sendLag: hdr.encodeIntoCompressedBase64(sendLag),
    },
  };
}
