/**
 * Kinesis limits in front of an emulator that has none (emulators-and-peers.md): each record goes to the open shard
 * whose hash range holds MD5(partition key), and that shard's write bucket (1,000 records and 1 MiB per second of
 * scenario time, §1.1, sim/rate-bucket.ts) admits it or not. PutRecords answers per-record ProvisionedThroughputExceededException with
 * FailedRecordCount and forwards only the records that passed, merging both in order (§1.2); PutRecord answers 400.
 * GetRecords meets the per-shard read bucket (5 calls and 2 MiB per second; a big read is a debt that throttles the
 * calls after it). UpdateShardCount is checked by the
 * simulator's KinesisModel (steps, quota, UPDATING) and forwarded only after the scenario's reshard delay, during
 * which the stream describes itself as UPDATING. On-demand streams pool the model's on-demand capacity.
 */
import { RateBucket } from '../../sim/rate-bucket.ts';
import { SampledAdmission } from '../../sim/sampled-admission.ts';
import type { KinesisConfig } from '../../sim/kinesis.ts';
import { hashKeyOf, shardReadWindow, shardWriteWindow, StreamLimits } from '../../sim/kinesis-limits.ts';
import { awsJsonError, jsonResponse, type EdgeBackend, type EdgeMiddleware, type EdgeRequest, type EdgeResponse } from '../edge/edge-types.ts';
import { callJson, nameOf, parseJson, withBody } from './backend-call.ts';
import type { MetricsStore } from './metrics-store.ts';
import type { ScenarioClock } from './scenario-clock.ts';
import { requestWeight } from './weights.ts';

const NS = 'AWS/Kinesis';

interface Shard {
  readonly id: string;
  readonly start: bigint;
  readonly end: bigint;
  readonly write: RateBucket;
  readonly read: RateBucket;
  /** Sampled records' admission (weight > 1), made on first use. */
  sampled?: SampledAdmission;
}

interface PendingReshard {
  readonly target: number;
  readonly doneAt: number;
  readonly request: EdgeRequest;
}

interface Stream {
  readonly name: string;
  /** Open shards, sorted by starting hash key. */
  open: Shard[];
  /** Every shard seen, by id (closed parents keep their read buckets). */
  readonly byId: Map<string, Shard>;
  readonly limits: StreamLimits;
  /** On-demand: the stream's pooled bucket, and the current second's accepted writes for the model's peak. */
  readonly pool: RateBucket;
  /**
   * On-demand: a bucket per shard of the model's own layout (equal hash ranges over `model.shards`), so one partition
   * key never gets more than one shard's limit (§1.2), as in the simulator, whatever shards the emulator has.
   */
  layout: RateBucket[];
  second: number;
  secondRecords: number;
  secondBytes: number;
  pending: PendingReshard | undefined;
  stale: boolean;
}

export interface KinesisCounters {
  acceptedRecords: number;
  throttledRecords: number;
  acceptedBytes: number;
  getRecordsCalls: number;
  throttledGetRecords: number;
  reshards: number;
  refusedReshards: number;
  reshardErrors: string[];
}

export interface KinesisQuota {
  middleware: EdgeMiddleware;
  counters: KinesisCounters;
  /** Completes reshards whose delay has passed (a timer calls it; tests with a manual clock call it themselves). */
  poll(): Promise<void>;
}

export function createKinesisQuota(options: { config: KinesisConfig; clock: ScenarioClock; weight: number; metrics: MetricsStore }): KinesisQuota {
  const { config, clock, metrics } = options;
  const streams = new Map<string, Stream>();
  const loading = new Map<string, Promise<Stream | undefined>>();
  const iterators = new Map<string, { stream: string; shard: string }>();
  const counters: KinesisCounters = { acceptedRecords: 0, throttledRecords: 0, acceptedBytes: 0, getRecordsCalls: 0, throttledGetRecords: 0, reshards: 0, refusedReshards: 0, reshardErrors: [] };
  let lastNext: EdgeBackend | undefined;
  let polling: Promise<void> | undefined;

  /** The stream's shard map from the emulator (DescribeStream, paged). */
  async function loadShards(name: string, like: EdgeRequest, next: EdgeBackend): Promise<Array<{ id: string; start: bigint; end: bigint }> | undefined> {
    const shards: Array<{ id: string; start: bigint; end: bigint }> = [];
    let exclusive: string | undefined;
    for (;;) {
      const answer = await callJson(next, like, 'kinesis', 'DescribeStream', { StreamName: name, ...(exclusive ? { ExclusiveStartShardId: exclusive } : {}) });
      if (answer.status !== 200) return undefined;
      const d = answer.body.StreamDescription;
      for (const s of d.Shards as any[]) {
        if (s.SequenceNumberRange?.EndingSequenceNumber !== undefined) continue;
        shards.push({ id: s.ShardId, start: BigInt(s.HashKeyRange.StartingHashKey), end: BigInt(s.HashKeyRange.EndingHashKey) });
      }
      if (!d.HasMoreShards || d.Shards.length === 0) break;
      exclusive = d.Shards[d.Shards.length - 1].ShardId;
    }
    return shards.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }

  async function stream(name: string, like: EdgeRequest, next: EdgeBackend): Promise<Stream | undefined> {
    const known = streams.get(name);
    if (known && !known.stale) return known;
    let p = loading.get(name);
    if (!p) {
      p = (async () => {
        const open = await loadShards(name, like, next);
        if (!open) return undefined;
        let s = streams.get(name);
        if (!s) {
          const limits = new StreamLimits(config, Math.max(1, open.length));
          const cap = limits.capacity();
          s = { name, open: [], byId: new Map(), limits, pool: new RateBucket([cap.records, cap.bytes]), layout: [], second: -1, secondRecords: 0, secondBytes: 0, pending: undefined, stale: false };
          streams.set(name, s);
        }
        s.open = open.map((o) => {
          const existing = s!.byId.get(o.id);
          if (existing) return existing;
          const shard: Shard = { ...o, write: shardWriteWindow(), read: shardReadWindow() };
          s!.byId.set(o.id, shard);
          return shard;
        });
        if (!s.limits.model.updating && s.limits.model.mode === 'provisioned') s.limits.model.shards = Math.max(1, s.open.length);
        s.stale = false;
        return s;
      })().finally(() => loading.delete(name));
      loading.set(name, p);
    }
    return p;
  }

  /** Iterators a consumer abandons are never used again; the oldest go once there are many (they expire after 5 min, §1.1). */
  function rememberIterator(iterator: string, at: { stream: string; shard: string }): void {
    if (iterators.size >= 100_000) iterators.delete(iterators.keys().next().value!);
    iterators.set(iterator, at);
  }

  function shardFor(s: Stream, hash: bigint): Shard | undefined {
    let lo = 0;
    let hi = s.open.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const shard = s.open[mid]!;
      if (hash < shard.start) hi = mid - 1;
      else if (hash > shard.end) lo = mid + 1;
      else return shard;
    }
    return undefined;
  }

  /** Admits one record of `bytes` standing for `weight` records now; returns the shard it went to, or why not. */
  function admit(s: Stream, now: number, hash: bigint, bytes: number, weight: number): { shard?: Shard; ok: boolean } {
    const shard = shardFor(s, hash);
    if (!shard) {
      s.stale = true;
      return { ok: true };
    }
    if (s.limits.model.mode === 'on-demand') {
      rollSecond(s, now);
      const cap = s.limits.capacity();
      s.pool.limits = [cap.records, cap.bytes];
      const n = s.limits.model.shards;
      if (s.layout.length !== n) s.layout = Array.from({ length: n }, () => shardWriteWindow());
      const own = s.layout[Number((hash * BigInt(n)) >> 128n)]!;
      // One partition key can never exceed one shard (§1.2), and the stream's pooled capacity bounds the rest (§1.4).
      // A sampled record (weight > 1) is admitted on credit here: while both buckets have something left.
      const amounts = [weight, weight * bytes];
      if (weight > 1 ? !own.open(now) || !s.pool.open(now) : !own.fits(now, amounts) || !s.pool.fits(now, amounts)) return { shard, ok: false };
      own.take(now, amounts);
      s.pool.take(now, amounts);
      s.secondRecords += weight;
      s.secondBytes += weight * bytes;
      return { shard, ok: true };
    }
    // A sampled record (weight > 1) is admitted in expectation (sim/sampled-admission.ts); one sent as itself must fit.
    const amounts = [weight, weight * bytes];
    if (weight > 1) {
      shard.sampled ??= new SampledAdmission(shard.write.limits);
      return { shard, ok: shard.sampled.admit(now, amounts) };
    }
    return { shard, ok: shard.write.tryTake(now, amounts) };
  }

  function rollSecond(s: Stream, now: number): void {
    const second = Math.floor(now);
    if (second === s.second) return;
    if (s.second >= 0) s.limits.observeSecond(s.second, s.secondRecords, s.secondBytes);
    s.second = second;
    s.secondRecords = s.secondBytes = 0;
  }

  function publishWrites(name: string, records: number, bytes: number, throttled: number): void {
    const dims = { StreamName: name };
    counters.acceptedRecords += records;
    counters.acceptedBytes += bytes;
    counters.throttledRecords += throttled;
    metrics.add(NS, 'IncomingRecords', dims, records);
    metrics.add(NS, 'IncomingBytes', dims, bytes, 'Bytes');
    metrics.add(NS, 'WriteProvisionedThroughputExceeded', dims, throttled);
  }

  const throttleMessage = (shard: Shard | undefined, name: string) =>
    `Rate exceeded for shard ${shard?.id ?? 'unknown'} in stream ${name} under account 000000000000.`;

  async function putRecords(req: EdgeRequest, next: EdgeBackend): Promise<EdgeResponse> {
    const body = parseJson(req.body);
    const name = nameOf(body, 'StreamName', 'StreamARN');
    if (!name || !Array.isArray(body.Records)) return next(req);
    const s = await stream(name, req, next);
    if (!s) return next(req);
    const now = clock.now();
    const weight = requestWeight(req, options.weight);
    const records = body.Records as any[];
    const verdicts = records.map((r) => {
      const bytes = Buffer.byteLength(r.Data ?? '', 'base64') + Buffer.byteLength(r.PartitionKey ?? '', 'utf8');
      return { bytes, ...admit(s, now, hashKeyOf(String(r.PartitionKey ?? ''), r.ExplicitHashKey), bytes, weight) };
    });
    const passed = records.filter((_, i) => verdicts[i]!.ok);
    let upstream: any = { FailedRecordCount: 0, Records: [] };
    let forwarded: EdgeResponse | undefined;
    if (passed.length > 0) {
      forwarded = await next(passed.length === records.length ? req : withBody(req, { ...body, Records: passed }));
      if (forwarded.status !== 200) return forwarded;
      upstream = parseJson(forwarded.body);
    }
    let k = 0;
    let failed = upstream.FailedRecordCount ?? 0;
    let acceptedRecords = 0;
    let acceptedBytes = 0;
    let throttled = 0;
    const out = verdicts.map((v) => {
      if (!v.ok) {
        failed++;
        throttled += weight;
        return { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: throttleMessage(v.shard, name) };
      }
      const entry = upstream.Records[k++];
      if (entry && entry.ErrorCode === undefined) {
        acceptedRecords += weight;
        acceptedBytes += weight * v.bytes;
        if (v.shard && entry.ShardId !== v.shard.id) s.stale = true;
      }
      return entry;
    });
    publishWrites(name, acceptedRecords, acceptedBytes, throttled);
    // Nothing refused here: the emulator's answer goes back as it came.
    if (throttled === 0 && forwarded) return forwarded;
    return jsonResponse(200, { ...upstream, FailedRecordCount: failed, Records: out });
  }

  async function putRecord(req: EdgeRequest, next: EdgeBackend): Promise<EdgeResponse> {
    const body = parseJson(req.body);
    const name = nameOf(body, 'StreamName', 'StreamARN');
    if (!name) return next(req);
    const s = await stream(name, req, next);
    if (!s) return next(req);
    const weight = requestWeight(req, options.weight);
    const bytes = Buffer.byteLength(body.Data ?? '', 'base64') + Buffer.byteLength(body.PartitionKey ?? '', 'utf8');
    const verdict = admit(s, clock.now(), hashKeyOf(String(body.PartitionKey ?? ''), body.ExplicitHashKey), bytes, weight);
    if (!verdict.ok) {
      publishWrites(name, 0, 0, weight);
      return awsJsonError(400, 'ProvisionedThroughputExceededException', throttleMessage(verdict.shard, name));
    }
    const res = await next(req);
    if (res.status === 200) publishWrites(name, weight, weight * bytes, 0);
    return res;
  }

  async function getShardIterator(req: EdgeRequest, next: EdgeBackend): Promise<EdgeResponse> {
    const body = parseJson(req.body);
    const res = await next(req);
    const name = nameOf(body, 'StreamName', 'StreamARN');
    if (res.status === 200 && name) {
      const it = parseJson(res.body)?.ShardIterator;
      if (typeof it === 'string') rememberIterator(it, { stream: name, shard: body.ShardId });
    }
    return res;
  }

  async function getRecords(req: EdgeRequest, next: EdgeBackend): Promise<EdgeResponse> {
    const body = parseJson(req.body);
    const at = typeof body?.ShardIterator === 'string' ? iterators.get(body.ShardIterator) : undefined;
    if (!at) return next(req);
    const s = await stream(at.stream, req, next);
    const shard = s?.byId.get(at.shard);
    if (!s || !shard) return next(req);
    const now = clock.now();
    const dims = { StreamName: at.stream };
    counters.getRecordsCalls++;
    if (!shard.read.open(now) || !shard.read.tryTake(now, [1, 0])) {
      counters.throttledGetRecords++;
      metrics.add(NS, 'ReadProvisionedThroughputExceeded', dims, 1);
      return awsJsonError(400, 'ProvisionedThroughputExceededException', throttleMessage(shard, at.stream));
    }
    const res = await next(req);
    if (res.status !== 200) return res;
    const out = parseJson(res.body);
    iterators.delete(body.ShardIterator);
    if (typeof out?.NextShardIterator === 'string') rememberIterator(out.NextShardIterator, at);
    const weight = requestWeight(req, options.weight);
    let bytes = 0;
    for (const r of (out?.Records ?? []) as any[]) bytes += Buffer.byteLength(r.Data ?? '', 'base64');
    shard.read.take(now, [0, bytes * weight]);
    const n = (out?.Records?.length ?? 0) * weight;
    metrics.add(NS, 'GetRecords.Records', dims, n);
    metrics.add(NS, 'GetRecords.Bytes', dims, bytes * weight, 'Bytes');
    if (typeof out?.MillisBehindLatest === 'number') {
      // The emulator measures age on the wall clock; in scenario time it is timeScale times longer.
      metrics.add(NS, 'GetRecords.IteratorAgeMilliseconds', dims, out.MillisBehindLatest * clock.timeScale, 'Milliseconds');
    }
    return res;
  }

  async function updateShardCount(req: EdgeRequest, next: EdgeBackend): Promise<EdgeResponse> {
    const body = parseJson(req.body);
    const name = nameOf(body, 'StreamName', 'StreamARN');
    if (!name) return next(req);
    const s = await stream(name, req, next);
    if (!s) return next(req);
    const current = s.limits.model.shards;
    const result = s.limits.model.requestShardCount(clock.now(), Number(body.TargetShardCount));
    if (!result.applied) {
      counters.refusedReshards++;
      const [type, ...rest] = (result.refusal ?? 'InvalidArgumentException: refused').split(': ');
      return awsJsonError(400, type!, rest.join(': '));
    }
    s.pending = { target: Number(body.TargetShardCount), doneAt: clock.now() + config.reshardSeconds, request: req };
    if (config.reshardSeconds === 0) await completeDue(next);
    return jsonResponse(200, { StreamName: name, CurrentShardCount: current, TargetShardCount: Number(body.TargetShardCount) });
  }

  /** Forwards reshards whose delay has passed to the emulator, then reloads the shard map. */
  async function completeDue(next: EdgeBackend): Promise<void> {
    for (const s of streams.values()) {
      const p = s.pending;
      if (!p || clock.now() < p.doneAt) continue;
      s.pending = undefined;
      const res = await next(p.request);
      if (res.status !== 200) counters.reshardErrors.push(`${s.name} → ${p.target}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
      else counters.reshards++;
      s.limits.model.completeReshard();
      // The emulator reaches the target with splits and merges of its own; the shard map is read once it is ACTIVE.
      for (let i = 0; i < 600; i++) {
        const d = await callJson(next, p.request, 'kinesis', 'DescribeStreamSummary', { StreamName: s.name });
        if (d.status !== 200 || d.body?.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      s.stale = true;
      await stream(s.name, p.request, next);
    }
  }

  /** While a reshard is pending, the stream describes itself as UPDATING (§1.3), with its old shards. */
  async function describe(req: EdgeRequest, next: EdgeBackend): Promise<EdgeResponse> {
    const res = await next(req);
    const name = nameOf(parseJson(req.body), 'StreamName', 'StreamARN');
    const s = name ? streams.get(name) : undefined;
    if (res.status !== 200 || !s?.pending) return res;
    const out = parseJson(res.body);
    const d = out?.StreamDescription ?? out?.StreamDescriptionSummary;
    if (d) d.StreamStatus = 'UPDATING';
    return jsonResponse(200, out);
  }

  const middleware: EdgeMiddleware = async (req, next) => {
    if (req.service !== 'kinesis') return next(req);
    lastNext = next;
    switch (req.operation) {
      case 'PutRecords':
        return putRecords(req, next);
      case 'PutRecord':
        return putRecord(req, next);
      case 'GetShardIterator':
        return getShardIterator(req, next);
      case 'GetRecords':
        return getRecords(req, next);
      case 'UpdateShardCount':
        return updateShardCount(req, next);
      case 'DescribeStream':
      case 'DescribeStreamSummary':
        return describe(req, next);
      case 'CreateStream':
      case 'DeleteStream': {
        // A stream created again under the same name starts with new shards and a fresh 24-hour quota.
        const name = nameOf(parseJson(req.body), 'StreamName', 'StreamARN');
        if (name) streams.delete(name);
        return next(req);
      }
      case 'SplitShard':
      case 'MergeShards': {
        const res = await next(req);
        const name = nameOf(parseJson(req.body), 'StreamName', 'StreamARN');
        const s = name ? streams.get(name) : undefined;
        if (s) s.stale = true;
        return res;
      }
      default:
        return next(req);
    }
  };

  return {
    middleware,
    counters,
    poll() {
      if (!lastNext) return Promise.resolve();
      polling ??= completeDue(lastNext).finally(() => (polling = undefined));
      return polling;
    },
  };
}
