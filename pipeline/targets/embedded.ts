import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEdge, type RunningEdge } from '../edge/edge-server.ts';
import type { EdgeBackend, EdgeMiddleware } from '../edge/edge-types.ts';
import { EMULATOR_CREDENTIALS, type RunningTarget } from './target.ts';
import { createFirehoseEndpoint, type FirehoseEndpoint, type FirehoseEndpointOptions } from '../firehose/firehose-endpoint.ts';
import { createS3Client } from '../aws-clients.ts';
import { startEmulatorThread, type EmulatorThread } from './emulator-thread.ts';
import { kinesisReshardBackend, type KinesisReshardBackend, type KinesisReshardOptions } from '../edge/kinesis-reshard.ts';

export interface EmbeddedOptions {
  /** The edge port; 0 (default) picks a free one. */
  port?: number;
  region?: string;
  /**
   * Keep data on disk here instead of in memory (`--data-dir`): kinesis/ and dynamodb/ are LevelDB stores (kinesalite
   * through leveldown, dynalite 4 through classic-level; both load their prebuilt binaries although npm 11 skipped
   * their install scripts), s3/ is s3rver's directory, firehose/ holds the delivery stream definitions.
   */
  dataDir?: string;
  /** In-process backends of our own (Firehose, CloudWatch), added by the pipeline. */
  backends?: { firehose?: EdgeBackend; monitoring?: EdgeBackend };
  /** The quota gateway and fault injection. */
  middleware?: EdgeMiddleware[];
  /** Our Firehose endpoint's clock and retry settings (ignored when `backends.firehose` replaces it). */
  firehose?: Omit<FirehoseEndpointOptions, 's3' | 'region'>;
  /** UpdateShardCount on kinesalite: the least reshard time, the 24-hour quota and shard cap. */
  kinesis?: Omit<KinesisReshardOptions, 'upstream' | 'region'> & {
    /** How long kinesalite keeps a stream UPDATING per SplitShard/MergeShards (its `updateStreamMs`); default 0. */
    splitMergeMs?: number;
  };
}

export interface EmbeddedTarget extends RunningTarget {
  name: 'embedded';
  endpoint: string;
  edge: RunningEdge;
  /** The emulators' own URLs, behind the edge (for measuring the edge's cost, and for tests). */
  emulators: { kinesis: string; dynamodb: string; s3: string };
  /** Our Firehose endpoint (absent when `backends.firehose` replaced it): its counts feed the audit. */
  firehose?: FirehoseEndpoint;
  /** The kinesis backend adding UpdateShardCount to kinesalite: its reshard history, and a way to wait for one. */
  reshard: KinesisReshardBackend;
}

/**
 * Kinesis (kinesalite), DynamoDB (dynalite) and S3 (s3rver) on free 127.0.0.1 ports, each in a worker thread of this
 * process, behind one edge port. Everything started here is stopped by `stop()`.
 */
export async function startEmbedded(options: EmbeddedOptions = {}): Promise<EmbeddedTarget> {
  const region = options.region ?? 'us-east-1';
  const started: Array<() => Promise<void>> = [];
  // Once, last started first; a second call waits for the first.
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const stop of [...started].reverse()) await stop().catch(() => undefined);
    })());
  if (options.dataDir) assertLevelDbLoads();
  try {
    // Each emulator in a worker thread of its own (emulator-thread.ts): they no longer share one event loop with each
    // other, the edge and the API, so on 2 cores they use both. Started together; each is stopped by `stop()`.
    const s3Dir = options.dataDir ? join(options.dataDir, 's3') : await mkdtemp(join(tmpdir(), 'ingestlab-s3-'));
    if (!options.dataDir) started.push(() => rm(s3Dir, { recursive: true, force: true }));
    const threads = await Promise.allSettled([
      startEmulatorThread({ kind: 'kinesis', options: { createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: options.kinesis?.splitMergeMs ?? 0, shardLimit: 10_000, ...(options.dataDir ? { path: join(options.dataDir, 'kinesis') } : {}) } }),
      startEmulatorThread({ kind: 'dynamodb', options: { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.dataDir ? { path: join(options.dataDir, 'dynamodb') } : {}) } }),
      startEmulatorThread({ kind: 's3', options: { silent: true, directory: s3Dir, allowMismatchedSignatures: true } }),
    ]);
    for (const t of threads) if (t.status === 'fulfilled') started.push(() => t.value.stop());
    const failed = threads.find((t): t is PromiseRejectedResult => t.status === 'rejected');
    if (failed) throw failed.reason;
    const [kinesisUrl, dynamoUrl, s3Url] = threads.map((t) => (t as PromiseFulfilledResult<EmulatorThread>).value.url) as [string, string, string];
    const { splitMergeMs: _, ...reshardOptions } = options.kinesis ?? {};
    const reshard = kinesisReshardBackend({ ...reshardOptions, upstream: kinesisUrl, region });
    started.push(async () => reshard.close());

    // Firehose writes its objects through the edge, so S3 faults and limits of the gateway apply to it too.
    let firehoseS3: ReturnType<typeof createS3Client> | undefined;
    const firehose = options.backends?.firehose
      ? undefined
      : createFirehoseEndpoint({
          ...(options.dataDir ? { stateFile: join(options.dataDir, 'firehose', 'delivery-streams.json') } : {}),
          ...options.firehose,
          region,
          s3: () => firehoseS3!,
        });
    const edge = await startEdge({
      ...(options.port !== undefined ? { port: options.port } : {}),
      backends: { kinesis: reshard.handler, dynamodb: dynamoUrl, s3: s3Url, ...(firehose ? { firehose: firehose.handler } : {}), ...options.backends },
      ...(options.middleware ? { middleware: options.middleware } : {}),
    });
    started.push(() => edge.close());
    if (firehose) {
      firehoseS3 = createS3Client({ name: 'embedded', region, endpoint: edge.url, credentials: { ...EMULATOR_CREDENTIALS } });
      // Pushed last so it runs first: buffers are flushed while the edge and s3rver still answer.
      started.push(async () => {
        await firehose.stop();
        firehoseS3?.destroy();
      });
    }

    return {
      name: 'embedded',
      region,
      endpoint: edge.url,
      credentials: { ...EMULATOR_CREDENTIALS },
      edge,
      emulators: { kinesis: kinesisUrl, dynamodb: dynamoUrl, s3: s3Url },
      ...(firehose ? { firehose } : {}),
      reshard,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * On disk, kinesalite needs leveldown and dynalite classic-level: native modules whose install scripts npm 11 skips.
 * Their prebuilt binaries load on linux-x64 and the other platforms they ship; say so plainly where they do not.
 */
function assertLevelDbLoads(): void {
  const require = createRequire(import.meta.url);
  for (const [module, user] of [['leveldown', 'kinesalite'], ['classic-level', 'dynalite']] as const) {
    try {
      require(module);
    } catch (error) {
      throw new Error(
        `--data-dir needs the native module ${module} (${user} stores on disk with it), and it does not load here: ${(error as Error).message.split('\n')[0]}. ` +
          `Run \`npm rebuild ${module}\` (npm 11 skips install scripts unless allowed), or run without --data-dir (in memory).`,
      );
    }
  }
}
