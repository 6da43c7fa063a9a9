/**
 * UpdateShardCount for kinesalite, which has SplitShard and MergeShards but not this call (emulators-and-peers.md §9).
 * The rules are the simulator's own (KinesisModel.requestShardCount: ≤ 2× up, ≥ ½ down, the per-stream shard cap, the
 * calls per rolling 24 h; aws-reference.md §1.3). An accepted call answers at once, as AWS does, and reaches the target
 * in the background with the pairwise operations AWS itself is made of: split every open shard at each uniform boundary
 * inside it, then merge adjacent shards whose shared boundary is not one, waiting for ACTIVE after each. The stream reads
 * UPDATING from the first split to the last merge (and for at least `reshardDelayMs`), even in the instants kinesalite
 * is ACTIVE between two operations, so a caller that waits for ACTIVE waits for the whole reshard.
 */
import { Agent } from 'node:http';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { KinesisClient, ListShardsCommand, MergeShardsCommand, SplitShardCommand, DescribeStreamSummaryCommand, type Shard } from '@aws-sdk/client-kinesis';
import { KinesisModel, kinesisConfigSchema } from '../../sim/kinesis.ts';
import { forwardTo } from './edge-server.ts';
import { awsJsonError, jsonResponse, type EdgeBackend, type EdgeRequest, type EdgeResponse } from './edge-types.ts';

const POW_128 = 1n << 128n;
const ACCOUNT = '000000000000';

export interface KinesisReshardOptions {
  /** The emulator's own URL (kinesalite), called directly so the gateway does not see our internal splits and merges. */
  upstream: string;
  region?: string;
  /**
   * The least time the stream stays UPDATING after an accepted UpdateShardCount, in wall ms (default 0: as long as the
   * splits and merges take). A function so the gateway can impose the scenario's reshard delay on its own clock.
   */
  reshardDelayMs?: number | (() => number);
  /** UpdateShardCount calls per rolling 24 h and the shard cap (§1.3); the simulator's defaults (10, 10,000) if absent. */
  updateShardCountPer24h?: number;
  maxShardsPerStream?: number;
  /** Seconds for the rolling 24-hour window (default wall clock). */
  nowSeconds?: () => number;
}

export interface ReshardRecord {
  stream: string;
  from: number;
  to: number;
  splits: number;
  merges: number;
  startedAt: number;
  finishedAt?: number;
  error?: string;
}

export interface KinesisReshardBackend {
  handler: EdgeBackend;
  /** Every accepted UpdateShardCount, newest last. */
  history(): readonly ReshardRecord[];
  /** Resolves when no reshard is running on `stream` (or on any stream). */
  settled(stream?: string): Promise<void>;
  close(): void;
}

export function kinesisReshardBackend(options: KinesisReshardOptions): KinesisReshardBackend {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const forward = forwardTo(options.upstream, agent);
  const region = options.region ?? 'us-east-1';
  const client = new KinesisClient({
    region,
    endpoint: options.upstream,
    credentials: { accessKeyId: 'ingestlab', secretAccessKey: 'ingestlab' },
    requestHandler: new NodeHttpHandler({ httpAgent: agent }),
    maxAttempts: 1,
  });
  const delay = options.reshardDelayMs ?? 0;
  const delayMs = typeof delay === 'function' ? delay : () => delay;
  const nowSeconds = options.nowSeconds ?? (() => Date.now() / 1000);
  const models = new Map<string, KinesisModel>();
  const running = new Map<string, Promise<void>>();
  const history: ReshardRecord[] = [];

  const modelFor = (stream: string, open: number): KinesisModel => {
    let model = models.get(stream);
    if (!model) {
      const config = kinesisConfigSchema.parse({
        shards: open,
        reshardSeconds: 0,
        ...(options.updateShardCountPer24h !== undefined ? { updateShardCountPer24h: options.updateShardCountPer24h } : {}),
        ...(options.maxShardsPerStream !== undefined ? { maxShardsPerStream: options.maxShardsPerStream } : {}),
      });
      model = new KinesisModel(config, [{ name: 'stream', count: 1, meanBytes: 0 }], { maxRetries: 0, backoffBaseMs: 100, backoffMaxMs: 20_000 }, 1);
      models.set(stream, model);
    }
    // SplitShard/MergeShards sent by clients change the open count behind the model's back: its rules read this field.
    model.shards = open;
    return model;
  };

  const updateShardCount = async (req: EdgeRequest): Promise<EdgeResponse> => {
    const input = parseInput(req);
    if (!input) return awsJsonError(400, 'SerializationException', 'Start of structure or map found where not expected');
    const stream = streamNameOf(input);
    if (!stream) return awsJsonError(400, 'ValidationException', "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null");
    const target = input['TargetShardCount'];
    if (typeof target !== 'number' || !Number.isInteger(target) || target < 1) {
      return awsJsonError(400, 'ValidationException', `1 validation error detected: Value '${String(target)}' at 'targetShardCount' failed to satisfy constraint: Member must have value greater than or equal to 1`);
    }
    if (input['ScalingType'] !== 'UNIFORM_SCALING') {
      return awsJsonError(400, 'ValidationException', `1 validation error detected: Value '${String(input['ScalingType'])}' at 'scalingType' failed to satisfy constraint: Member must satisfy enum value set: [UNIFORM_SCALING]`);
    }
    if (running.has(stream)) return awsJsonError(400, 'ResourceInUseException', `Stream ${stream} under account ${ACCOUNT} not ACTIVE, instead in state UPDATING`);
    let open: Shard[];
    try {
      // As AWS answers a stream that is still CREATING (kinesalite makes a new stream ACTIVE on a timer).
      const status = (await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary?.StreamStatus;
      if (status !== 'ACTIVE') return awsJsonError(400, 'ResourceInUseException', `Stream ${stream} under account ${ACCOUNT} not ACTIVE, instead in state ${status}`);
      open = await openShards(client, stream);
    } catch (error) {
      const e = error as Error;
      return awsJsonError(400, e.name, e.message);
    }
    const model = modelFor(stream, open.length);
    const verdict = model.requestShardCount(nowSeconds(), target);
    if (!verdict.applied) {
      const refusal = verdict.refusal ?? 'InvalidArgumentException: refused';
      const colon = refusal.indexOf(': ');
      return awsJsonError(400, refusal.slice(0, colon), `UpdateShardCount on stream ${stream}: ${refusal.slice(colon + 2)}`);
    }
    const record: ReshardRecord = { stream, from: open.length, to: target, splits: 0, merges: 0, startedAt: Date.now() };
    history.push(record);
    const minimum = new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, delayMs())));
    const work = reshard(client, stream, target, record)
      .catch((error: Error) => {
        record.error = `${error.name}: ${error.message}`;
      })
      .then(() => minimum)
      .finally(() => {
        record.finishedAt = Date.now();
        model.completeReshard();
        running.delete(stream);
      });
    running.set(stream, work);
    return jsonResponse(200, { StreamName: stream, StreamARN: `arn:aws:kinesis:${region}:${ACCOUNT}:stream/${stream}`, CurrentShardCount: open.length, TargetShardCount: target });
  };

  /** A stream being resharded reads UPDATING between our operations too. */
  const showUpdating = async (req: EdgeRequest): Promise<EdgeResponse> => {
    const res = await forward(req);
    const stream = streamNameOf(parseInput(req) ?? {});
    if (res.status !== 200 || !stream || !running.has(stream)) return res;
    const body = JSON.parse(res.body.toString('utf8')) as Record<string, Record<string, unknown>>;
    const description = body['StreamDescription'] ?? body['StreamDescriptionSummary'];
    if (description) description['StreamStatus'] = 'UPDATING';
    return { ...res, body: Buffer.from(JSON.stringify(body)) };
  };

  const handler: EdgeBackend = async (req) => {
    switch (req.operation) {
      case 'UpdateShardCount':
        return updateShardCount(req);
      case 'DescribeStream':
      case 'DescribeStreamSummary':
        return showUpdating(req);
      case 'SplitShard':
      case 'MergeShards': {
        const stream = streamNameOf(parseInput(req) ?? {});
        if (stream && running.has(stream)) return awsJsonError(400, 'ResourceInUseException', `Stream ${stream} under account ${ACCOUNT} not ACTIVE, instead in state UPDATING`);
        return forward(req);
      }
      case 'CreateStream':
      case 'DeleteStream': {
        // A stream made again under the same name starts with a fresh 24-hour quota, as a new resource does on AWS.
        const stream = streamNameOf(parseInput(req) ?? {});
        const res = await forward(req);
        if (res.status === 200 && stream) models.delete(stream);
        return res;
      }
      default:
        return forward(req);
    }
  };

  return {
    handler,
    history: () => history,
    async settled(stream) {
      const pending = stream ? [running.get(stream)] : [...running.values()];
      await Promise.all(pending);
    },
    close() {
      client.destroy();
      agent.destroy();
    },
  };
}

/** The JSON body, or undefined when it is not a JSON object (the emulator answers those requests itself). */
function parseInput(req: EdgeRequest): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(req.body.toString('utf8') || '{}');
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function streamNameOf(input: Record<string, unknown>): string | undefined {
  if (typeof input['StreamName'] === 'string') return input['StreamName'];
  if (typeof input['StreamARN'] === 'string') return input['StreamARN'].split('/').pop();
  return undefined;
}

/** The uniform layout's boundaries (NewStartingHashKey of shards 1..n-1), exactly as kinesalite's CreateStream cuts it. */
export function uniformBoundaries(n: number): bigint[] {
  const width = POW_128 / BigInt(n);
  return Array.from({ length: n - 1 }, (_, k) => width * BigInt(k + 1));
}

async function openShards(client: KinesisClient, stream: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListShardsCommand(token ? { NextToken: token } : { StreamName: stream }));
    shards.push(...(page.Shards ?? []));
    token = page.NextToken;
  } while (token);
  return shards
    .filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined)
    .sort((a, b) => (BigInt(a.HashKeyRange!.StartingHashKey!) < BigInt(b.HashKeyRange!.StartingHashKey!) ? -1 : 1));
}

async function waitActive(client: KinesisClient, stream: string): Promise<void> {
  for (;;) {
    const d = await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Splits at every uniform boundary not yet a shard boundary, then merges across every shard boundary that is not one. */
async function reshard(client: KinesisClient, stream: string, target: number, record: ReshardRecord): Promise<void> {
  const boundaries = uniformBoundaries(target);
  const wanted = new Set(boundaries.map(String));
  for (const at of boundaries) {
    const open = await openShards(client, stream);
    const shard = open.find((s) => BigInt(s.HashKeyRange!.StartingHashKey!) < at && at <= BigInt(s.HashKeyRange!.EndingHashKey!));
    if (!shard) continue;
    await client.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: shard.ShardId!, NewStartingHashKey: at.toString() }));
    record.splits++;
    await waitActive(client, stream);
  }
  for (;;) {
    const open = await openShards(client, stream);
    const i = open.findIndex((s, k) => k > 0 && !wanted.has(s.HashKeyRange!.StartingHashKey!));
    if (i < 0) return;
    await client.send(new MergeShardsCommand({ StreamName: stream, ShardToMerge: open[i - 1]!.ShardId!, AdjacentShardToMerge: open[i]!.ShardId! }));
    record.merges++;
    await waitActive(client, stream);
  }
}
