/**
 * The localstack target: LocalStack (started with the repository's docker-compose.yml) behind a local edge of ours,
 * so the same gateway middleware stands in front of it as in front of the embedded emulators; LocalStack enforces no
 * AWS limit (emulators-and-peers.md §1). Its code path is the embedded one with another endpoint, which is why it can
 * be tested against the embedded edge.
 *
 * Firehose caveat: LocalStack's own Firehose ignores BufferingHints and writes one S3 object per call (§1,
 * localstack#7024). `firehose: 'ours'` serves our Firehose endpoint on the local edge instead, writing to LocalStack's S3.
 */
import { startEdge, type RunningEdge } from '../edge/edge-server.ts';
import type { AwsService, EdgeBackend, EdgeMiddleware } from '../edge/edge-types.ts';
import { createFirehoseEndpoint, type FirehoseEndpoint, type FirehoseEndpointOptions } from '../firehose/firehose-endpoint.ts';
import { createS3Client } from '../aws-clients.ts';
import { EMULATOR_CREDENTIALS, type RunningTarget } from './target.ts';
import { UsageError } from '../../sim/errors.ts';

export const DEFAULT_LOCALSTACK_ENDPOINT = 'http://localhost:4566';
/** What the pipeline needs of LocalStack. */
const NEEDED: readonly AwsService[] = ['kinesis', 'dynamodb', 'firehose', 's3'];
/** LocalStack accepts any key pair; s3rver's keeps the code path testable against the embedded edge. */
const LOCALSTACK_CREDENTIALS = EMULATOR_CREDENTIALS;

export interface LocalStackOptions {
  /** LocalStack's edge URL (`--endpoint`); default http://localhost:4566. */
  endpoint?: string;
  /** The local edge's port; 0 (default) picks a free one. */
  port?: number;
  region?: string;
  /** The quota gateway and fault injection, in front of LocalStack. */
  middleware?: EdgeMiddleware[];
  /** In-process backends that replace LocalStack's for a service (the gateway's CloudWatch). */
  backends?: Partial<Record<AwsService, EdgeBackend>>;
  /** 'localstack' (default): LocalStack's own Firehose; 'ours': our endpoint, which honours BufferingHints. */
  firehose?: 'localstack' | 'ours';
  firehoseOptions?: Omit<FirehoseEndpointOptions, 's3' | 'region'>;
  /** How long the start-up health check waits for an answer. */
  healthTimeoutMs?: number;
}

export interface LocalStackTarget extends RunningTarget {
  name: 'localstack';
  /** The local edge every client talks to. */
  endpoint: string;
  /** LocalStack itself, behind the edge. */
  upstream: string;
  edge: RunningEdge;
  /** What LocalStack's health route said, e.g. `{ edition: 'community', version: '4.4.0' }`. */
  health: { edition?: string; version?: string; services: Record<string, string> };
  firehose?: FirehoseEndpoint;
  /** Where this target will not behave as AWS does, for the command to print at start. */
  warnings: string[];
}

/** Exit 2 in the CLI: the user can fix it (start LocalStack, fix --endpoint). */
export class TargetUnavailableError extends UsageError {
  override name = 'TargetUnavailableError';
}

/** Asks LocalStack's `/_localstack/health` what runs; a clear error when nothing answers or a service is missing. */
export async function checkLocalStack(endpoint: string, timeoutMs = 3_000): Promise<LocalStackTarget['health']> {
  const url = new URL('/_localstack/health', endpoint).toString();
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const { cause } = error as Error & { cause?: { code?: string; message?: string } };
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new TargetUnavailableError(
      `nothing answers at ${endpoint} (${why}): start LocalStack with \`docker compose up -d\` from the repository root, or pass --endpoint`,
    );
  }
  if (!res.ok) throw new TargetUnavailableError(`${url} answered ${res.status}: is this LocalStack? (--endpoint ${endpoint})`);
  const health = (await res.json().catch(() => ({}))) as Partial<LocalStackTarget['health']>;
  const services = health.services ?? {};
  const missing = NEEDED.filter((s) => !['running', 'available'].includes(services[s] ?? ''));
  if (missing.length > 0) {
    throw new TargetUnavailableError(`LocalStack at ${endpoint} does not offer ${missing.join(', ')} (health: ${JSON.stringify(services)}); check SERVICES in docker-compose.yml`);
  }
  return { ...(health.edition ? { edition: health.edition } : {}), ...(health.version ? { version: health.version } : {}), services };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStackTarget> {
  const upstream = options.endpoint ?? DEFAULT_LOCALSTACK_ENDPOINT;
  const region = options.region ?? 'us-east-1';
  const health = await checkLocalStack(upstream, options.healthTimeoutMs);
  let firehoseS3: ReturnType<typeof createS3Client> | undefined;
  const firehose = options.firehose === 'ours' ? createFirehoseEndpoint({ ...options.firehoseOptions, region, s3: () => firehoseS3! }) : undefined;
  const forwarded = Object.fromEntries((['kinesis', 'dynamodb', 'firehose', 's3', 'monitoring'] as const).map((s) => [s, upstream]));
  const edge = await startEdge({
    ...(options.port !== undefined ? { port: options.port } : {}),
    backends: { ...forwarded, ...(firehose ? { firehose: firehose.handler } : {}), ...options.backends },
    ...(options.middleware ? { middleware: options.middleware } : {}),
  });
  if (firehose) firehoseS3 = createS3Client({ name: 'localstack', region, endpoint: edge.url, credentials: { ...LOCALSTACK_CREDENTIALS } });
  return {
    name: 'localstack',
    region,
    endpoint: edge.url,
    upstream,
    credentials: { ...LOCALSTACK_CREDENTIALS },
    edge,
    health,
    ...(firehose ? { firehose } : {}),
    warnings: firehose
      ? []
      : [
          "LocalStack's Firehose ignores BufferingHints and writes one S3 object per PutRecord/PutRecordBatch call (localstack#7024); " +
            "object counts and delivery delays will not match AWS (firehose: 'ours' buffers as AWS does)",
        ],
    async stop() {
      await firehose?.stop();
      firehoseS3?.destroy();
      await edge.close();
    },
  };
}
