/**
 * Fault injection from the scenario's `faults:` rules, outermost in the edge's chain: a failed call never reaches the
 * quota gateway or the emulator. Errors are the ones each service really answers: 5xx as InternalFailure (Kinesis),
 * InternalServerError (DynamoDB), ServiceUnavailableException (Firehose), InternalError (S3); throttles as
 * ProvisionedThroughputExceededException (Kinesis, DynamoDB), ServiceUnavailableException (Firehose), SlowDown (S3).
 */
import { createRandom } from '../../sim/engine/random.ts';
import { pickFault, type FaultRule } from '../../sim/faults.ts';
import { awsJsonError, type EdgeMiddleware, type EdgeResponse } from '../edge/edge-types.ts';
import type { ScenarioClock } from './scenario-clock.ts';

export interface FaultCounters {
  /** Calls the rules were checked against. */
  calls: number;
  injected: number;
  byService: Record<string, number>;
}

const ERRORS: Record<string, { '5xx': [number, string]; throttle: [number, string] }> = {
  kinesis: { '5xx': [500, 'InternalFailure'], throttle: [400, 'ProvisionedThroughputExceededException'] },
  dynamodb: { '5xx': [500, 'com.amazonaws.dynamodb.v20120810#InternalServerError'], throttle: [400, 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException'] },
  firehose: { '5xx': [503, 'ServiceUnavailableException'], throttle: [503, 'ServiceUnavailableException'] },
  monitoring: { '5xx': [500, 'InternalServiceError'], throttle: [400, 'Throttling'] },
};

export function createFaultInjection(rules: readonly FaultRule[], options: { clock: ScenarioClock; seed?: number }): { middleware: EdgeMiddleware; counters: FaultCounters } {
  const random = createRandom(`faults-${options.seed ?? 1}`);
  const counters: FaultCounters = { calls: 0, injected: 0, byService: {} };
  const middleware: EdgeMiddleware = async (req, next) => {
    if (rules.length === 0) return next(req);
    counters.calls++;
    const rule = pickFault(rules, req.service, req.operation, options.clock.now(), () => random.next());
    if (!rule) return next(req);
    counters.injected++;
    counters.byService[req.service] = (counters.byService[req.service] ?? 0) + 1;
    if (rule.error === 'slow') {
      await new Promise((r) => setTimeout(r, (rule.latency ?? 0) * 1000));
      return next(req);
    }
    return errorFor(req.service, rule.error);
  };
  return { middleware, counters };
}

function errorFor(service: string, error: '5xx' | 'throttle'): EdgeResponse {
  if (service === 's3') {
    const [status, code] = error === '5xx' ? [500, 'InternalError'] : [503, 'SlowDown'];
    return { status, headers: { 'content-type': 'application/xml' }, body: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected by ingestlab faults</Message></Error>`) };
  }
  const [status, type] = ERRORS[service]![error];
  const contentType = service === 'dynamodb' || service === 'monitoring' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
  return awsJsonError(status, type, 'injected by ingestlab faults', contentType);
}
