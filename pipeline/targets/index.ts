/**
 * The three places the real pipeline runs, behind one call: `startTarget('embedded' | 'localstack' | 'aws', options)`.
 * Each returns endpoints for `createAwsClients` and a `stop()` that ends what the target started.
 */
import { startAwsTarget, type AwsTarget, type AwsTargetOptions } from './aws.ts';
import { startEmbedded, type EmbeddedOptions, type EmbeddedTarget } from './embedded.ts';
import { startLocalStack, type LocalStackOptions, type LocalStackTarget } from './localstack.ts';
import type { TargetName } from './target.ts';

export interface TargetOptionsByName {
  embedded: EmbeddedOptions;
  localstack: LocalStackOptions;
  aws: AwsTargetOptions;
}

export interface TargetByName {
  embedded: EmbeddedTarget;
  localstack: LocalStackTarget;
  aws: AwsTarget;
}

export const TARGET_NAMES: readonly TargetName[] = ['embedded', 'localstack', 'aws'];

export function startTarget<N extends TargetName>(name: N, options: TargetOptionsByName[N]): Promise<TargetByName[N]> {
  const starters: { [K in TargetName]: (o: TargetOptionsByName[K]) => Promise<TargetByName[K]> } = {
    embedded: startEmbedded,
    localstack: startLocalStack,
    aws: startAwsTarget,
  };
  return (starters[name] as (o: TargetOptionsByName[N]) => Promise<TargetByName[N]>)(options);
}

export type { AwsTarget, AwsTargetOptions, EmbeddedOptions, EmbeddedTarget, LocalStackOptions, LocalStackTarget };
export { DEFAULT_LOCALSTACK_ENDPOINT, TargetUnavailableError, checkLocalStack } from './localstack.ts';
export { awsGuardProblems, estimateScenarioCostUsd } from './aws.ts';
export { measureKinesisPutRate, type KinesisRate, type KinesisRateOptions } from './kinesis-rate.ts';
