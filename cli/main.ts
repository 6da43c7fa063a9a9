/**
 * ingestlab's command line. Commands are thin: they parse flags, call the library, print, and map errors to exit
 * codes (0 ok, 2 invalid input, 99 expectations failed) in one place.
 */
import { Command, InvalidArgumentError } from 'commander';
import { ExitCode, ScenarioError, UsageError } from '../sim/errors.ts';
import { runScenarioCommand } from './scenario-command.ts';
import { listCommand } from './list-command.ts';
import { benchCommand } from './bench-command.ts';

const program = new Command('ingestlab')
  .description('Capacity lab for serverless ingest pipelines: API Gateway → Kinesis → Lambda → DynamoDB and Firehose → S3')
  .showHelpAfterError('(run with --help for usage)')
  .configureOutput({ outputError: (text, write) => write(text) });

const collect = (value: string, previous: string[]) => [...previous, value];
const integer = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return n;
};

program
  .command('scenario')
  .description('simulate a scenario and write summary.json and timeline.csv')
  .argument('<scenario>', 'a bundled scenario name (see `ingestlab list`) or a path to a .yaml file')
  .option('-o, --out <dir>', 'output folder (default reports/out/<name>)')
  .option('--seed <n>', 'override the scenario seed', integer)
  .option('--duration <d>', 'override the duration, e.g. 2h or 7d')
  .option('--resolution <d>', 'override the tick, e.g. 1s or 10s')
  .option('--set <key=value>', 'override any scenario key, e.g. kinesis.shards=8 (repeatable)', collect, [])
  .option('--prices <file>', 'YAML or JSON price entries that override the bundled price table')
  .option('--price-date <date>', 'bill with the prices in force on this date (YYYY-MM-DD)')
  .option('--json', 'print only summary.json on stdout')
  .option('-q, --quiet', 'no progress output')
  .option('--no-color', 'no ANSI colours')
  .addHelpText(
    'after',
    `
Examples:
  npm run scenario burst-spike
  npm run scenario -- burst-spike --set kinesis.shards=16 --out /tmp/burst16
  npm run scenario -- ./my-scenario.yaml --duration 7d --resolution 10s --json > summary.json`,
  )
  .action(async (scenario: string, options) => {
    process.exitCode = await runScenarioCommand(scenario, options);
  });

program.command('list').description('list the bundled scenarios').action(() => listCommand());

program
  .command('bench')
  .description('measure simulator speed: simulated seconds per wall second')
  .option('--quick', 'shorter runs (for a smoke test)')
  .action(async (options) => {
    process.exitCode = await benchCommand(options);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error);
}

function reportError(error: unknown): number {
  if (error instanceof ScenarioError) {
    process.stderr.write(`${error.problems.length === 1 ? 'invalid scenario' : `invalid scenario (${error.problems.length} problems)`}:\n${error.message}\n`);
    return ExitCode.invalidInput;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n`);
    return ExitCode.invalidInput;
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return ExitCode.failure;
}
