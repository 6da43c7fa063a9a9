/**
 * An example of a user-written scaling policy: double the shards whenever the newest published minute shows
 * throttled writes (WriteProvisionedThroughputExceeded), which kinesis-scaling-utils never looks at. Scenarios name it
 * by path: `kinesis.autoscaler.policy: ./scale-on-throttles.ts` (relative to the scenario file).
 *
 * The contract is sim/policies/policy.ts: a zod schema for the config, a check interval, an initial state and a pure
 * `decide(view)` returning an action and the next state. Everything comes from `ingestlab/policy`, so this file works
 * copied to any folder (docs/policies.md).
 */
import { z, type PolicyView, type ScalingPolicy } from 'ingestlab/policy';

const config = z.strictObject({
  policy: z.string(),
  /** Throttled records per minute that trigger a scale-up. */
  minThrottled: z.number().nonnegative().default(1000),
  maxShards: z.number().int().positive().default(64),
  /** Seconds to wait after an action before acting again. */
  coolOffSeconds: z.number().nonnegative().default(300),
});
type Config = z.output<typeof config>;
type State = { lastActionAt: number | null };

const scaleOnThrottles: ScalingPolicy<Config, State> = {
  name: 'scale-on-throttles',
  service: 'kinesis',
  configSchema: config,
  checkIntervalSeconds: () => 60,
  initialState: () => ({ lastActionAt: null }),
  decide(view: PolicyView<Config, State>) {
    const { config: c, state, capacity } = view;
    const newest = view.metrics.WriteProvisionedThroughputExceeded?.at(-1);
    const cooling = state.lastActionAt !== null && view.now - state.lastActionAt < c.coolOffSeconds;
    if (view.updating || cooling || !newest || newest.sum < c.minThrottled || capacity >= c.maxShards) {
      return { action: { kind: 'none' }, state };
    }
    const to = Math.min(2 * capacity, c.maxShards);
    return {
      action: { kind: 'scale', to, reason: `${Math.round(newest.sum)} throttled records in minute ${newest.minute / 60}: ${capacity} → ${to} shards` },
      state: { lastActionAt: view.now },
    };
  },
};

export default scaleOnThrottles;
