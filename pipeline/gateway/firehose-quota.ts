/**
 * Firehose Direct PUT quotas in front of our own Firehose endpoint (§5): per delivery stream, records, requests and
 * bytes per second of scenario time, with the quotas of a FirehoseModel for the scenario's region and quota era. Each
 * closed second's demand is fed to that model, so its automatic quota increase (on by default) raises the gateway's
 * quotas when and as the simulator's would. A
 * PutRecordBatch whose call is within the request quota answers the records over the record or byte quota with
 * FailedPutCount and per-record ServiceUnavailableException, forwarding the rest and merging the answers in order; a
 * call over the request quota, or a PutRecord that does not fit, is refused whole with ServiceUnavailableException.
 */
import { RateBucket } from '../../sim/rate-bucket.ts';
import { SampledAdmission } from '../../sim/sampled-admission.ts';
import { FirehoseModel, type FirehoseConfig } from '../../sim/firehose.ts';
import { awsJsonError, jsonResponse, type EdgeBackend, type EdgeMiddleware, type EdgeRequest, type EdgeResponse } from '../edge/edge-types.ts';
import { nameOf, parseJson, withBody } from './backend-call.ts';
import type { MetricsStore } from './metrics-store.ts';
import type { ScenarioClock } from './scenario-clock.ts';
import { requestWeight } from './weights.ts';

const NS = 'AWS/Firehose';
const SLOW_DOWN = 'Slow down. Throughput limits for the delivery stream may have been exceeded.';

export interface FirehoseCounters {
  acceptedRecords: number;
  throttledRecords: number;
  throttledCalls: number;
}

export interface FirehoseQuota {
  middleware: EdgeMiddleware;
  counters: FirehoseCounters;
  /** A new delivery stream's quotas per second (the model's, for the region and era). */
  readonly limits: { records: number; requests: number; bytes: number };
  /** A delivery stream's quotas now (raised by the automatic increase), or undefined if it has had no traffic. */
  limitsOf(name: string): { records: number; requests: number; bytes: number } | undefined;
}

interface DeliveryStream {
  readonly model: FirehoseModel;
  readonly data: RateBucket;
  /** Sampled records (weight > 1) are admitted in expectation instead of by `data` (sim/sampled-admission.ts). */
  readonly sampled: SampledAdmission;
  readonly calls: RateBucket;
  /** The scenario second being counted, and its demand (records, bytes, calls; refused ones included). */
  second: number;
  records: number;
  bytes: number;
  requests: number;
}

export function createFirehoseQuota(options: { config: FirehoseConfig; region: string; clock: ScenarioClock; weight: number; metrics: MetricsStore }): FirehoseQuota {
  const { clock, metrics } = options;

  const limits = { ...new FirehoseModel(options.config, options.region).limits };
  const streams = new Map<string, DeliveryStream>();
  const counters: FirehoseCounters = { acceptedRecords: 0, throttledRecords: 0, throttledCalls: 0 };

  /** One record of `bytes` standing for `weight`: a sampled one in expectation, as at the Kinesis shards. */
  const admitData = (w: DeliveryStream, now: number, weight: number, bytes: number): boolean =>
    weight > 1 ? w.sampled.admit(now, [weight, weight * bytes]) : w.data.tryTake(now, [weight, weight * bytes]);

  /** The stream's state at scenario time `now`: a second that has closed goes to the model, whose quotas then apply. */
  const bucketsOf = (name: string, now: number): DeliveryStream => {
    let w = streams.get(name);
    if (!w) {
      const model = new FirehoseModel(options.config, options.region);
      const data = new RateBucket([model.limits.records, model.limits.bytes]);
      w = { model, data, sampled: new SampledAdmission(data.limits), calls: new RateBucket([model.limits.requests]), second: Math.floor(now), records: 0, bytes: 0, requests: 0 };
      streams.set(name, w);
    }
    const second = Math.floor(now);
    if (second > w.second) {
      if (w.records > 0) w.model.put(w.second, 1, w.records, w.bytes, Math.max(1, w.requests));
      // The model notices a minute's end on its next call: tell it at the first minute boundary passed, then now.
      const boundary = (Math.floor(w.second / 60) + 1) * 60;
      if (boundary <= second) w.model.put(boundary, 1, 0, 0, 0);
      w.model.put(second, 1, 0, 0, 0);
      w.second = second;
      w.records = w.bytes = w.requests = 0;
      w.data.limits = [w.model.limits.records, w.model.limits.bytes];
      w.sampled.limits = w.data.limits;
      w.calls.limits = [w.model.limits.requests];
    }
    return w;
  };

  function publish(name: string, accepted: number, bytes: number, throttled: number): void {
    const dims = { DeliveryStreamName: name };
    counters.acceptedRecords += accepted;
    counters.throttledRecords += throttled;
    metrics.add(NS, 'IncomingRecords', dims, accepted);
    metrics.add(NS, 'IncomingBytes', dims, bytes, 'Bytes');
    metrics.add(NS, 'ThrottledRecords', dims, throttled);
  }

  async function putRecordBatch(req: EdgeRequest, next: EdgeBackend): Promise<EdgeResponse> {
    const body = parseJson(req.body);
    const name = nameOf(body, 'DeliveryStreamName', 'DeliveryStreamARN');
    if (!name || !Array.isArray(body.Records)) return next(req);
    const now = clock.now();
    const w = bucketsOf(name, now);
    const weight = requestWeight(req, options.weight);
    const records = body.Records as any[];
    const sizes = records.map((r) => Buffer.byteLength(r.Data ?? '', 'base64'));
    w.requests++;
    w.records += records.length * weight;
    for (const bytes of sizes) w.bytes += bytes * weight;
    if (!w.calls.tryTake(now, [1])) {
      counters.throttledCalls++;
      publish(name, 0, 0, records.length * weight);
      return awsJsonError(503, 'ServiceUnavailableException', SLOW_DOWN);
    }
    const ok = sizes.map((bytes) => admitData(w, now, weight, bytes));
    const passed = records.filter((_, i) => ok[i]);
    let upstream: any = { FailedPutCount: 0, Encrypted: false, RequestResponses: [] };
    if (passed.length > 0) {
      const res = await next(passed.length === records.length ? req : withBody(req, { ...body, Records: passed }));
      if (res.status !== 200) return res;
      upstream = parseJson(res.body);
    }
    let k = 0;
    let failed = upstream.FailedPutCount ?? 0;
    let accepted = 0;
    let bytes = 0;
    let throttled = 0;
    const responses = ok.map((fits, i) => {
      if (!fits) {
        failed++;
        throttled += weight;
        return { ErrorCode: 'ServiceUnavailableException', ErrorMessage: SLOW_DOWN };
      }
      const entry = upstream.RequestResponses[k++];
      if (entry && entry.ErrorCode === undefined) {
        accepted += weight;
        bytes += weight * sizes[i]!;
      }
      return entry;
    });
    publish(name, accepted, bytes, throttled);
    return jsonResponse(200, { ...upstream, FailedPutCount: failed, RequestResponses: responses });
  }

  async function putRecord(req: EdgeRequest, next: EdgeBackend): Promise<EdgeResponse> {
    const body = parseJson(req.body);
    const name = nameOf(body, 'DeliveryStreamName', 'DeliveryStreamARN');
    if (!name) return next(req);
    const now = clock.now();
    const w = bucketsOf(name, now);
    const weight = requestWeight(req, options.weight);
    const bytes = Buffer.byteLength(body.Record?.Data ?? '', 'base64');
    w.requests++;
    w.records += weight;
    w.bytes += bytes * weight;
    if (!w.calls.tryTake(now, [1]) || !admitData(w, now, weight, bytes)) {
      counters.throttledCalls++;
      publish(name, 0, 0, weight);
      return awsJsonError(503, 'ServiceUnavailableException', SLOW_DOWN);
    }
    const res = await next(req);
    if (res.status === 200) publish(name, weight, weight * bytes, 0);
    return res;
  }

  const middleware: EdgeMiddleware = (req, next) => {
    if (req.service !== 'firehose') return next(req);
    if (req.operation === 'PutRecordBatch') return putRecordBatch(req, next);
    if (req.operation === 'PutRecord') return putRecord(req, next);
    return next(req);
  };
  return {
    middleware,
    counters,
    limits,
    limitsOf(name) {
      const w = streams.get(name);
      return w ? { ...w.model.limits } : undefined;
    },
  };
}
