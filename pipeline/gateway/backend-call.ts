/**
 * Calls the gateway makes on its own (the stream's shard map, a table's capacity, a delayed reshard): sent down the same
 * chain as the client's request, with the client's signature headers (emulators do not verify signatures).
 */
import type { EdgeBackend, EdgeRequest } from '../edge/edge-types.ts';

const PREFIX = { kinesis: 'Kinesis_20131202', dynamodb: 'DynamoDB_20120810', firehose: 'Firehose_20150804' } as const;
const CONTENT_TYPE = { kinesis: 'application/x-amz-json-1.1', dynamodb: 'application/x-amz-json-1.0', firehose: 'application/x-amz-json-1.1' } as const;

export interface JsonAnswer {
  status: number;
  body: any;
}

/** `operation` on `service` with a JSON body, like `like` (whose auth headers are reused). */
export async function callJson(next: EdgeBackend, like: EdgeRequest, service: keyof typeof PREFIX, operation: string, body: unknown): Promise<JsonAnswer> {
  const headers: Record<string, string> = {};
  for (const name of ['authorization', 'x-amz-date', 'x-amz-security-token', 'host', 'user-agent']) {
    const v = like.headers[name];
    if (v !== undefined) headers[name] = v;
  }
  headers['x-amz-target'] = `${PREFIX[service]}.${operation}`;
  headers['content-type'] = CONTENT_TYPE[service];
  const res = await next({ service, operation, method: 'POST', url: '/', headers, body: Buffer.from(JSON.stringify(body)) });
  let parsed: any = undefined;
  try {
    parsed = res.body.length > 0 ? JSON.parse(res.body.toString('utf8')) : {};
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed };
}

/** The request with another JSON body (the records that passed the limits). */
export function withBody(req: EdgeRequest, body: unknown): EdgeRequest {
  return { ...req, body: Buffer.from(JSON.stringify(body)) };
}

export function parseJson(buf: Buffer): any {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Stream or delivery-stream name from a request body (`StreamName`, or the last part of `StreamARN`). */
export function nameOf(body: any, nameKey: string, arnKey: string): string | undefined {
  if (typeof body?.[nameKey] === 'string') return body[nameKey];
  const arn = body?.[arnKey];
  if (typeof arn === 'string') return arn.slice(arn.lastIndexOf('/') + 1);
  return undefined;
}
