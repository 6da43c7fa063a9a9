import type { AwsService } from './edge-types.ts';

/** X-Amz-Target prefixes of the JSON-protocol services (AWS service models' `targetPrefix`). */
const TARGET_PREFIXES: ReadonlyArray<[string, AwsService]> = [
  ['Kinesis_20131202', 'kinesis'],
  ['DynamoDB_20120810', 'dynamodb'],
  ['Firehose_20150804', 'firehose'],
  ['GraniteServiceVersion20100801', 'monitoring'],
];

/**
 * Which service a request is for, as LocalStack's edge decides it: the X-Amz-Target header for JSON protocols, then the
 * service in the SigV4 credential scope (`Credential=AKID/20261202/us-east-1/s3/aws4_request`), then S3 by default
 * (unsigned path-style S3 requests carry neither).
 */
export function classifyRequest(headers: Record<string, string | string[] | undefined>, url: string): {
  service: AwsService;
  operation: string;
} {
  const target = header(headers, 'x-amz-target');
  if (target) {
    for (const [prefix, service] of TARGET_PREFIXES) {
      if (target.startsWith(prefix + '.')) return { service, operation: target.slice(prefix.length + 1) };
    }
  }
  // smithy RPC v2 CBOR (newer CloudWatch clients): /service/<Service>/operation/<Operation>
  const rpc = /^\/service\/([^/]+)\/operation\/([^/?]+)/.exec(url);
  if (rpc) {
    const found = TARGET_PREFIXES.find(([prefix]) => prefix === rpc[1]);
    if (found) return { service: found[1], operation: rpc[2]! };
  }
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(header(headers, 'authorization') ?? '');
  const service = scope?.[1];
  if (service === 'kinesis' || service === 'dynamodb' || service === 'firehose' || service === 'monitoring') {
    return { service, operation: '' };
  }
  return { service: 's3', operation: '' };
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
