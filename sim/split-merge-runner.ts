/**
 * Runs kinesis-scaling-utils' SplitShard/MergeShards fallback (§2.4) on the virtual clock: the planned operations one
 * at a time, each issued when the tool sees the previous one ACTIVE, each keeping the stream UPDATING for
 * `kinesis.splitMergeSeconds`. Every operation is logged as a scaling action of its own, so reports show the walk
 * through uneven hash ranges. The plan is computed up front: nothing else reshards the stream while the tool waits.
 */
import type { FallbackRun, ScalingAction } from './autoscaler.ts';
import type { EventQueue } from './engine/event-queue.ts';
import type { KinesisModel } from './kinesis.ts';
import type { SplitMergeOp } from './policies/kinesis-scaling-utils.ts';

export interface SplitMergeContext {
  readonly queue: EventQueue;
  readonly kinesis: KinesisModel;
  readonly log: ScalingAction[];
  /** When the tool's UpdateShardCount was refused. */
  readonly now: number;
  /** How long one operation keeps the stream UPDATING (`kinesis.splitMergeSeconds`). */
  readonly operationSeconds: number;
  readonly resource: string;
}

const percent = (x: number): string => `${(x * 100).toFixed(1).replace(/\.0$/, '')}%`;

/** Schedules `ops` from `ctx.now`; returns when the tool's call returns and the shard count it leaves. */
export function runSplitMerge(
  ctx: SplitMergeContext,
  ops: readonly SplitMergeOp[],
  seesActiveAt: (issuedAt: number, activeAt: number) => number,
): FallbackRun {
  const { queue, kinesis, log } = ctx;
  let t = ctx.now;
  let shards = kinesis.shards;
  ops.forEach((op, i) => {
    const from = shards;
    const to = op.kind === 'split' ? shards + 1 : shards - 1;
    shards = to;
    queue.schedule(
      t,
      (now) => {
        const r = op.kind === 'split' ? kinesis.splitShard(now, op.at) : kinesis.mergeShards(now, op.at);
        log.push({
          atSeconds: now,
          service: 'kinesis',
          resource: ctx.resource,
          from,
          to,
          reason: `kinesis-scaling-utils split/merge fallback, step ${i + 1} of ${ops.length}: ${op.kind === 'split' ? 'SplitShard' : 'MergeShards'} at ${percent(op.at)} of the key space`,
          ...(r.refusal ? { refusal: r.refusal } : {}),
        });
        // Completion before any other event at that instant (priority 0), so the next operation finds the stream ACTIVE.
        if (r.applied) queue.schedule(r.activeAt ?? now, () => kinesis.completeReshard(), 0);
      },
      1,
    );
    t = seesActiveAt(t, t + ctx.operationSeconds);
  });
  return { operations: ops.length, returnsAt: t, capacityAfter: shards };
}
