/**
 * The bundled scaling policies, by the name a scenario uses. A user policy is a module whose default export meets
 * the same contract (see policy.ts); the scenario names it by path and the loader imports it.
 */
import { dynamicDynamoDbPolicy } from './dynamic-dynamodb.ts';
import { kinesisScalingUtils } from './kinesis-scaling-utils.ts';
import type { ScalingPolicy } from './policy.ts';
import { targetTrackingPolicy } from './target-tracking.ts';
import { targetUtilization } from './target-utilization.ts';

export const BUNDLED_POLICIES: Readonly<Record<string, ScalingPolicy<any, any>>> = {
  'kinesis-scaling-utils': kinesisScalingUtils,
  'target-utilization': targetUtilization,
  'target-tracking': targetTrackingPolicy,
  'dynamic-dynamodb': dynamicDynamoDbPolicy,
};

export function resolveBundledPolicy(name: string): ScalingPolicy<any, any> | undefined {
  return Object.hasOwn(BUNDLED_POLICIES, name) ? BUNDLED_POLICIES[name] : undefined;
}

export type { ScalingPolicy, PolicyView, PolicyAction, PolicyDecision, Datapoint, MetricName } from './policy.ts';
