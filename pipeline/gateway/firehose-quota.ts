/**
 * Firehose Direct PUT quotas in front of our own Firehose endpoint (§5): per delivery stream, records, requests and
 * bytes per second of scenario time, with the numbers FirehoseModel takes for the scenario's region and quota era. A
 * PutRecordBatch whose call is within the request quota answers the records over the record or byte quota with
 * FailedPutCount and per-record ServiceUnavailableException, forwarding the rest and merging the answers in order; a
 * call over the request quota, or a PutRecord that does not fit, is refused whole with ServiceUnavailableException.
 */
import { RateBucket } from '../../sim/rate-bucket.ts';
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
  readonly limits: { records: number; requests: number; bytes: number };
}

export function createFirehoseQuota(options: { config: FirehoseConfig; region: string; clock: ScenarioClock; weight: number; metrics: MetricsStore }): FirehoseQuota {
  const { clock, metrics } = options;
  const limits = new FirehoseModel(options.config, options.region).limits;
  /** Per delivery stream: [records, bytes] and [requests] buckets. */
  const buckets = new Map<string, { data: RateBucket; calls: RateBucket }>();
  const counters: FirehoseCounters = { acceptedRecords: 0, throttledRecords: 0, throttledCalls: 0 };

  const bucketsOf = (name: string) => {
    let w = buckets.get(name);
    if (!w) {
      w = { data: new RateBucket([limits.records, limits.bytes]), calls: new RateBucket([limits.requests]) };
      buckets.set(name, w);
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
    const w = bucketsOf(name);
    const now = clock.now();
    const weight = requestWeight(req, options.weight);
    const records = body.Records as any[];
    if (!w.calls.tryTake(now, [1])) {
      counters.throttledCalls++;
      publish(name, 0, 0, records.length * weight);
      return awsJsonError(503, 'ServiceUnavailableException', SLOW_DOWN);
    }
    const sizes = records.map((r) => Buffer.byteLength(r.Data ?? '', 'base64'));
    const ok = sizes.map((bytes) => w.data.tryTake(now, [weight, weight * bytes]));
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
    const w = bucketsOf(name);
    const now = clock.now();
    const weight = requestWeight(req, options.weight);
    const bytes = Buffer.byteLength(body.Record?.Data ?? '', 'base64');
    if (!w.calls.tryTake(now, [1]) || !w.data.tryTake(now, [weight, weight * bytes])) {
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
  return { middleware, counters, limits };
}
