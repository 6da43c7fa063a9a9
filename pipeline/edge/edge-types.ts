/**
 * The edge's request model: one buffered AWS API call, already classified by service and operation, passed through a
 * chain of handlers (the quota gateway, fault injection) to a backend (an emulator or an endpoint of ours).
 */

/** The AWS services the edge routes, by the names their SigV4 credential scopes use. */
export type AwsService = 'kinesis' | 'dynamodb' | 'firehose' | 's3' | 'monitoring';

export interface EdgeRequest {
  service: AwsService;
  /** The operation for JSON-protocol services (from X-Amz-Target: `PutRecords`), or the smithy RPC v2 path; '' for S3. */
  operation: string;
  method: string;
  /** Path and query string as received. */
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface EdgeResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** A backend answers a request; nothing after it. */
export type EdgeBackend = (req: EdgeRequest) => Promise<EdgeResponse>;

/** A middleware may answer by itself (a throttle, a fault) or call `next` and adjust what comes back. */
export type EdgeMiddleware = (req: EdgeRequest, next: EdgeBackend) => Promise<EdgeResponse>;

/** A JSON-protocol answer as AWS writes it (`application/x-amz-json-1.1` for Kinesis and Firehose, 1.0 for DynamoDB). */
export function jsonResponse(status: number, body: unknown, contentType = 'application/x-amz-json-1.1'): EdgeResponse {
  return { status, headers: { 'content-type': contentType }, body: Buffer.from(JSON.stringify(body)) };
}

/** An AWS JSON-protocol error: `__type` names the exception, as the SDKs parse it. */
export function awsJsonError(status: number, type: string, message: string, contentType?: string): EdgeResponse {
  return jsonResponse(status, { __type: type, message }, contentType);
}
