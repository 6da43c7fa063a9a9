/**
 * `pipeline cleanup --target aws [--run-id ID] [--region R] [--dry-run] [--json]`: removes what aws-target runs left
 * behind (a crash, a killed terminal). `registerCleanupCommand` adds it under the `pipeline` command.
 */
import type { Command } from 'commander';
import { UsageError } from '../sim/errors.ts';
import { createAwsClients } from './aws-clients.ts';
import { cleanupRuns, RUN_TAG, type CleanupClients, type CleanupReport } from './cleanup.ts';

export interface CleanupCommandOptions {
  target?: string;
  runId?: string;
  region?: string;
  dryRun?: boolean;
  json?: boolean;
}

export function registerCleanupCommand(pipeline: Command): Command {
  return pipeline
    .command('cleanup')
    .description(`remove what aws-target runs left: resources named ingestlab-<runid>- or tagged ${RUN_TAG}`)
    .option('--target <t>', 'only aws leaves resources behind (embedded and localstack end with their process)', 'aws')
    .option('--run-id <id>', "only this run's resources (default: every run's)")
    .option('--region <r>', 'the AWS region (default: $AWS_REGION, else $AWS_DEFAULT_REGION, else us-east-1)')
    .option('--dry-run', 'list what would be removed, remove nothing')
    .option('--json', 'print the report as JSON')
    .action(async (options: CleanupCommandOptions) => {
      process.exitCode = await runCleanupCommand(options);
    });
}

/** Exit 0 when everything found was removed (or nothing was found), 1 when something could not be removed. */
export async function runCleanupCommand(
  options: CleanupCommandOptions,
  io: { out?: NodeJS.WritableStream; aws?: CleanupClients } = {},
): Promise<number> {
  const target = options.target ?? 'aws';
  if (target !== 'aws') throw new UsageError(`cleanup is for --target aws: the ${target} target keeps nothing once its process ends`);
  const out = io.out ?? process.stdout;
  const owned = io.aws ? undefined : createAwsClients({ name: 'aws', region: options.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1' }, { sdkRetries: true });
  try {
    const report = await cleanupRuns(io.aws ?? owned!, {
      ...(options.runId ? { runId: options.runId } : {}),
      ...(options.dryRun ? { dryRun: true } : {}),
    });
    out.write(options.json ? JSON.stringify(report, null, 2) + '\n' : cleanupText(report, Boolean(options.dryRun)));
    return report.failed.length > 0 ? 1 : 0;
  } finally {
    owned?.destroy();
  }
}

export function cleanupText(report: CleanupReport, dryRun: boolean): string {
  const verb = dryRun ? 'would remove' : 'removed';
  const lines: string[] = [];
  const kinds: Array<[string, string[]]> = [
    ['stream', report.streams],
    ['table', report.tables],
    ['delivery stream', report.deliveryStreams],
    ['bucket', report.buckets],
  ];
  for (const [kind, names] of kinds) for (const name of names) lines.push(`${verb} ${kind} ${name}`);
  if (report.objects > 0) lines.push(`${verb.replace('would remove', 'would empty')} ${report.objects} objects from the buckets first`);
  for (const f of report.failed) lines.push(`could not remove ${f.resource}: ${f.error}`);
  if (lines.length === 0) lines.push('nothing of an ingestlab run was found');
  return lines.join('\n') + '\n';
}
