import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { TargetEndpoints } from './targets/target.ts';
import { UNMETERED_HEADER } from './gateway/weights.ts';

/** Path-style, checksums only when required: s3rver handles neither virtual hosts nor trailing checksums (§4). */
const S3_OPTIONS = { forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } as const;

export interface AwsClients {
  kinesis: KinesisClient;
  dynamodb: DynamoDBClient;
  firehose: FirehoseClient;
  s3: S3Client;
  cloudwatch: CloudWatchClient;
  destroy(): void;
}

/**
 * SDK v3 clients for a target. HTTP/1.1 with keep-alive (kinesalite and kinesis-local fail on the SDK's HTTP/2 default,
 * kinesalite#118); the SDK's own retries are off (`maxAttempts: 1`) because the pipeline retries with its own
 * full-jitter backoff and counts every retry; S3 path-style with checksums only when required (s3rver, §4).
 */
export function createAwsClients(target: TargetEndpoints, options: { maxSockets?: number; sdkRetries?: boolean } = {}): AwsClients {
  const maxSockets = options.maxSockets ?? 64;
  const requestHandler = new NodeHttpHandler({
    httpAgent: new Agent({ keepAlive: true, maxSockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
  });
  const common = {
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    ...(target.credentials ? { credentials: target.credentials } : {}),
    requestHandler,
    maxAttempts: options.sdkRetries ? 3 : 1,
  };
  const clients = {
    kinesis: new KinesisClient(common),
    dynamodb: new DynamoDBClient(common),
    firehose: new FirehoseClient(common),
    s3: new S3Client({ ...common, ...S3_OPTIONS }),
    cloudwatch: new CloudWatchClient(common),
  };
  return {
    ...clients,
    destroy() {
      for (const client of Object.values(clients)) client.destroy();
    },
  };
}

/** One S3 client for a target, configured as `createAwsClients` configures its own (for writers that need only S3). */
export function createS3Client(target: TargetEndpoints, options: { maxSockets?: number } = {}): S3Client {
  return new S3Client({
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    ...(target.credentials ? { credentials: target.credentials } : {}),
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 16 }) }),
    maxAttempts: 1,
    ...S3_OPTIONS,
  });
}

/**
 * Marks one SDK command as bookkeeping, so the quota gateway lets it through unmetered (gateway/weights.ts,
 * UNMETERED_HEADER): the audit's reads. The header goes on this command alone, not on the client it shares with the
 * pipeline; AWS itself ignores it.
 */
export function unmetered<C extends { middlewareStack: { add: (...args: any[]) => void } }>(command: C): C {
  command.middlewareStack.add(
    (next: (args: { request: unknown }) => Promise<unknown>) => (args: { request: unknown }) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers[UNMETERED_HEADER] = 'audit';
      return next(args);
    },
    { step: 'build', name: 'ingestlabUnmetered' },
  );
  return command;
}
