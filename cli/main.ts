/**
 * ingestlab's command line. Commands are thin: they parse flags, call the library, print, and return an exit code;
 * every failure is mapped to a message and a code in one place (errors-to-exit.ts; codes in the README).
 *
 * Start-up is kept short: this file loads only commander. Each command imports its own module when it runs, so
 * `--help` and `list` never load the simulator, the reports or ink. To add a command, copy one of the blocks below:
 *
 *   program
 *     .command('name')
 *     .description('…')
 *     .action(async (…args, options) => {
 *       const { runNameCommand } = await import('./name-command.ts');   // a literal path: the bundler follows it
 *       process.exitCode = await runNameCommand(…args, options);
 *     });
 */
import { Command } from 'commander';
import { collect, DEFAULT_BASELINE_DIR, integer, withScenarioInputs } from './flags.ts';
import { failureOf, npmSwallowHint } from './errors-to-exit.ts';
import { UsageError } from '../sim/errors.ts';

// `ingestlab list | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// A hidden switch for developers: stack traces with every error.
const debug = process.argv.includes('--debug') || Boolean(process.env.INGESTLAB_DEBUG);
const argv = process.argv.filter((a) => a !== '--debug');

const program = new Command('ingestlab')
  .description('Capacity lab for serverless ingest pipelines: API Gateway → Kinesis → Lambda → DynamoDB and Firehose → S3')
  .showHelpAfterError('(run with --help for usage)')
  .configureOutput({ outputError: (text, write) => write(text) })
  // Commander's own errors (unknown flag, missing argument, --seed abc) come back as exceptions, so they get exit 2.
  .exitOverride();

withScenarioInputs(
  program
    .command('scenario')
    .description('simulate a scenario and write summary.json, timeline.csv, report.md and report.html')
    .argument('<scenario>', 'a bundled scenario name (see `ingestlab list`) or a path to a .yaml file')
    .option('-o, --out <dir>', 'output folder, replaced whole by the run (default reports/out/<scenario file name>)'),
)
  .option('--force', 'replace --out even if it is not an ingestlab run folder (everything in it is deleted)')
  .option('--infracost-usage <file>', "also write the run's usage as an Infracost usage file (monthly, placeholders to rename)")
  .option('--json', 'print only summary.json on stdout')
  .option('-q, --quiet', 'print nothing but errors, and one line when the run fails (lost events)')
  .option('--no-color', 'no ANSI colours')
  .option('--dashboard', 'watch the run live in the terminal (see `ingestlab dashboard --help`); files are written when it completes')
  .option('--target <t>', 'sim (the simulator), or the real pipeline driven by the load generator: embedded (emulators), localstack or aws (billed: needs --confirm-aws, --max-cost-usd, --firehose-role-arn)', 'sim')
  .option('--endpoint <url>', 'with --target localstack: where LocalStack answers (default http://localhost:4566)')
  .option('--confirm-aws', 'with --target aws: yes, create billed resources in the account of the default AWS credentials')
  .option('--max-cost-usd <n>', "with --target aws: refuse when the simulator's cost estimate for the scenario is above N dollars")
  .option('--firehose-role-arn <arn>', 'with --target aws: the IAM role Firehose assumes to write to the bucket (ingestlab creates no IAM role)')
  .option('--compare', 'run the simulator and the embedded pipeline on the same scenario and seed, and print and write fidelity.json')
  .option('--time-scale <k>', 'real pipeline runs: replay K times faster on the gateway scenario clock')
  .option('--sample <f>', 'real pipeline runs: send this fraction of events, each weighted 1/F (default 1/K)')
  .option('--retries <n>', 'real pipeline runs: client retries of 429/503 (default 0, as the simulator counts a 429 rejected)')
  .addHelpText(
    'after',
    `
Examples:
  npm run scenario burst-spike
  npm run scenario -- burst-spike --set kinesis.shards=16 --out /tmp/burst16
  npm run scenario -- ./my-scenario.yaml --duration 7d --resolution 10s --json > summary.json`,
  )
  .action(async (scenario: string, options) => {
    if (options.dashboard && (options.target !== 'sim' || options.compare)) {
      // The real run's live view writes no run folder; scenario --target writes one but shows a progress bar.
      throw new UsageError(`--dashboard watches simulator runs; watch a real one with npm run dashboard -- ${scenario} --target ${options.target === 'sim' ? 'embedded' : options.target}, or drop --dashboard to write its files`);
    }
    if (options.target !== 'sim' || options.compare) {
      const { runTargetCommand } = await import('./target-run-command.ts');
      process.exitCode = await runTargetCommand(scenario, { ...options, target: options.target === 'sim' ? 'embedded' : options.target });
    } else if (options.dashboard) {
      const { runDashboardCommand } = await import('./dashboard-command.ts');
      process.exitCode = await runDashboardCommand(scenario, { ...options, writeFiles: true });
    } else {
      const { runScenarioCommand } = await import('./scenario-command.ts');
      process.exitCode = await runScenarioCommand(scenario, options);
    }
  });

withScenarioInputs(
  program
    .command('dashboard')
    .description('watch a run live in the terminal: capacity charts, throttles, scaling actions, cost, audit, expectations')
    .argument('<scenario>', 'a bundled scenario name (see `ingestlab list`) or a path to a .yaml file')
    .option('--speed <x>', 'simulated seconds per wall second (default 60); + and - double and halve it while running')
    .option('--target <t>', 'what to watch: sim (the simulator) or embedded (a real run on the embedded pipeline; localstack and aws: npm run scenario -- <name> --target …)', 'sim')
    .option('--time-scale <k>', 'with --target embedded: replay the scenario K times faster on the gateway scenario clock')
    .option('--sample <f>', 'with --target embedded: send a fraction F of the events, each weighted 1/F (default 1/K)'),
)
  .option('--json', 'print summary.json instead of the readable summary on quit')
  .option('--no-color', 'no ANSI colours')
  .addHelpText(
    'after',
    `
Keys: space pause/resume · + faster · - slower · q quit (stops the run and prints its summary, partial if early).
A real run (--target embedded) cannot pause: q ends its load early, then it drains, audits and prints the summary;
accepted events missing after the drain exit 98.
Without a terminal (CI, pipes) it prints plain progress lines and the summary instead.

Examples:
  npm run dashboard -- burst-spike --speed 600
  npm run dashboard -- burst-spike --target embedded --time-scale 20
  npm run scenario -- burst-spike --dashboard`,
  )
  .action(async (scenario: string, options) => {
    const { runDashboardCommand } = await import('./dashboard-command.ts');
    process.exitCode = await runDashboardCommand(scenario, options);
  });

program
  .command('list')
  .description('list the bundled scenarios')
  .action(async () => {
    const { listCommand } = await import('./list-command.ts');
    await listCommand();
  });

program
  .command('bench')
  .description('measure simulator speed: simulated seconds per wall second')
  .option('--quick', 'shorter runs (for a smoke test)')
  .action(async (options) => {
    const { benchCommand } = await import('./bench-command.ts');
    process.exitCode = await benchCommand(options);
  });

program
  .command('check')
  .description('run scenarios, check their expect: blocks and baselines; exit 0 pass, 99 fail, 98 events lost, 2 invalid input')
  .argument('[scenarios...]', 'bundled scenario names or .yaml paths (default: every bundled scenario)')
  .option('--junit <file>', 'write JUnit XML: one testcase per expectation and per baseline figure')
  .option('--markdown <file>', 'write a markdown summary for a pull-request comment')
  .option('--baseline <dir>', 'folder of baseline files', DEFAULT_BASELINE_DIR)
  .option('--no-baseline', 'do not compare with (or write) baselines')
  .option('--update-baseline', "write each scenario's key figures to <dir>/<scenario>.json instead of comparing")
  .option('--tolerance <list>', 'allowed rise in percent before a regression, e.g. cost=5,lag=10,throttled=10,dropped=10,latency=10')
  .option('--set <key=value>', 'override a scenario key in every scenario, e.g. kinesis.shards=8 (repeatable)', collect, [])
  .option('-j, --jobs <n>', 'worker threads (default: the number of cores; 1 runs in this process)', integer)
  .option('-q, --quiet', 'print nothing but errors and the table (no progress)')
  .option('--target <t>', 'sim (the simulator), or run each scenario on the real pipeline, one at a time: embedded, localstack or aws (as scenario --target)', 'sim')
  .option('--time-scale <k>', 'real runs: replay K times faster (default auto: the load in about 120 s of wall, K at most 20)')
  .option('--sample <f>', 'real runs: send a fraction F of the events, each weighted 1/F (default 1/K)')
  .option('--endpoint <url>', 'with --target localstack: where LocalStack answers')
  .option('--confirm-aws', 'with --target aws: yes, create billed resources')
  .option('--max-cost-usd <n>', "with --target aws: refuse when the simulator's estimate is above N dollars")
  .option('--firehose-role-arn <arn>', 'with --target aws: the IAM role Firehose assumes')
  .addHelpText(
    'after',
    `
Examples:
  npm run check
  npm run check -- --target embedded my-scenario.yaml --junit check.xml
  npm run check -- burst-spike --junit check.xml --markdown check.md
  npm run check -- burst-spike --set kinesis.autoscaler.scaleUp.scaleThresholdPct=50
  npm run check -- --update-baseline`,
  )
  .action(async (scenarios: string[], options) => {
    const { runCheckCommand } = await import('./check-command.ts');
    process.exitCode = await runCheckCommand(scenarios, options);
  });

program
  .command('report')
  .description('rebuild report.md, charts/ and report.html from a saved run (timeline.csv beside it feeds the charts)')
  .argument('<run>', 'a summary.json, or the folder holding it')
  .option('-o, --out <dir>', 'output folder (default: the run folder itself; its report files are replaced whole)')
  .option('--force', 'replace --out even if it is not an ingestlab run folder (everything in it is deleted)')
  .option('--infracost-usage <file>', "also write the run's usage as an Infracost usage file (monthly, placeholders to rename)")
  .option('-q, --quiet', 'print nothing')
  .addHelpText('after', '\nExamples:\n  npm run report -- reports/out/burst-spike\n  npm run report -- reports/out/burst-spike/summary.json --infracost-usage infracost-usage.yml')
  .action(async (run: string, options) => {
    const { runReportCommand } = await import('./report-command.ts');
    process.exitCode = await runReportCommand(run, options);
  });

withScenarioInputs(
  program
    .command('compare')
    .description('run a scenario once per variant (and per swept value) and write compare.md / compare.html, cheapest first')
    .argument('<scenario>', 'a bundled scenario name or a path to a .yaml file')
    .option('--variant <label:key=value,...>', 'a variant: scenario keys to change, e.g. ondemand:kinesis.mode=on-demand,dynamodb.mode=on-demand (repeatable)', collect, [])
    .option('--sweep <key=from..to[xF|+S]>', 'run every variant across a range, e.g. tenants.0.count=10..10000x10, and name the crossovers')
    .option('-o, --out <dir>', 'output folder, replaced whole (default reports/out/<scenario file name>/compare)'),
  'a scenario key in every variant',
)
  .option('--force', 'replace --out even if it is not an ingestlab run folder (everything in it is deleted)')
  .option('-q, --quiet', 'print nothing but errors, and one line when a run fails (lost events)')
  .addHelpText(
    'after',
    `
The scenario as written is the variant "baseline"; a variants: section in the scenario adds more.

Examples:
  npm run compare -- burst-spike --variant ondemand:kinesis.mode=on-demand,dynamodb.mode=on-demand
  npm run compare -- steady --variant http:apiGateway.type=http --variant alb:apiGateway.type=alb,apiGateway.fleet.instances=2
  npm run compare -- steady --variant ondemand:kinesis.mode=on-demand --sweep tenants.0.count=10..10000x10 --resolution 10s`,
  )
  .action(async (scenario: string, options) => {
    const { runCompareCommand } = await import('./compare-command.ts');
    process.exitCode = await runCompareCommand(scenario, options);
  });

withScenarioInputs(
  program
    .command('plan')
    .description('search for the cheapest configuration whose expectations all pass and that loses nothing; write best.yaml, plan.md / plan.html')
    .argument('<scenario>', 'a bundled scenario name or a path to a .yaml file')
    .option('--vary <key=spec>', 'a scenario key and its values: a..b (5 points), a..b:step, a..bxF (geometric) or v1,v2,... (repeatable)', collect, [])
    .option('--budget <n>', 'full-length runs the search may spend (default 64); the full grid when it fits, else successive halving')
    .option('--objective <o>', 'rank passing configurations by cost (per million delivered events) or lag (Kinesis scaling lag)', 'cost')
    .option('-j, --jobs <n>', 'worker threads (default: the number of cores; 1 runs in this process)', integer)
    .option('-o, --out <dir>', 'output folder (default reports/out/<name>/plan)')
    .option('--force', 'replace --out even when it is not an ingestlab run folder'),
  'a scenario key in every configuration',
)
  .option('--json', 'print the result (winner, its overrides, ranking, frontier) as JSON on stdout')
  .option('-q, --quiet', 'no progress output')
  .addHelpText(
    'after',
    `
Exit code 0 when a configuration passes, 99 when none does (the output says which expectation fails everywhere).

Examples:
  npm run plan -- burst-spike --vary kinesis.shards=4..16:4 --vary kinesis.autoscaler.scaleUp.scaleThresholdPct=50..90:10
  npm run plan -- steady --vary kinesis.shards=1..8:1 --vary dynamodb.writeCapacity=1000..4000:500 --set traffic.scale=2
  npm run plan -- burst-spike --vary kinesis.mode=provisioned,on-demand --objective lag --json`,
  )
  .action(async (scenario: string, options) => {
    const { runPlanCommand } = await import('./plan-command.ts');
    process.exitCode = await runPlanCommand(scenario, options);
  });

// `loadgen <scenario>` runs the load (the default subcommand); `loadgen export-k6 <scenario>` writes a k6 script.
const loadgen = program
  .command('loadgen')
  .description("drive a scenario's traffic into a running ingest API (open model, HDR latencies), or export it as a k6 script");
loadgen
  .command('run', { isDefault: true })
  .description('send the scenario to an ingest API (the default: `loadgen <scenario>` runs this)')
  .argument('<scenario>', 'a bundled scenario name or a path to a .yaml file')
  .option('--url <url>', "the ingest API's base URL (default: the keys file's apiUrl)")
  .option('--keys-file <file>', 'tenant ids and API keys, the JSON `pipeline up` writes (default reports/out/pipeline/keys.json)')
  .option('--seed <n>', 'override the scenario seed (traffic draws and payloads)', integer)
  .option('--duration <d>', 'override the duration (scenario time), e.g. 90s or 10m')
  .option('--resolution <d>', 'override the tick the traffic is drawn at, e.g. 1s')
  .option('--set <key=value>', 'override any scenario key, e.g. tenants.0.rate=50 (repeatable)', collect, [])
  .option('--time-scale <k>', 'replay K times faster: scenario second s is sent at wall second s/K')
  .option('--sample <f>', 'send this fraction of events, each weighted 1/F (default 1/K, so the wall rate is the scenario rate)')
  .option('--connections <n>', 'keep-alive connections (default: 100 ms of the peak rate, 16 to 1,000)', integer)
  .option('--workers <n>', 'worker threads, each with its own share of the tenants (default 1)', integer)
  .option('--retries <n>', "retries of a 429/503 (default: the scenario's producer.maxRetries)", integer)
  .option('--timeout <s>', 'seconds to wait for an answer (default 10)')
  .option('--drain <s>', 'seconds to wait for answers and retries after the schedule ends (default 30)')
  .option('--id-prefix <p>', 'prefix of every event id (default s<seed>-); change it to post the same scenario twice')
  .option('-o, --out <file>', 'also write the report as JSON to this file')
  .option('--json', 'print only the JSON report on stdout')
  .option('-q, --quiet', 'no progress bar and no text report')
  .addHelpText(
    'after',
    `
Requests carry x-api-key, x-ingestlab-weight (1/F), x-ingestlab-scenario-ms and x-ingestlab-time-scale (docs/loadgen.md).

Examples:
  npm run loadgen -- steady --keys-file keys.json --duration 2m
  npm run loadgen -- burst-spike --url http://127.0.0.1:3000 --keys-file keys.json --time-scale 20
  npm run loadgen -- steady --keys-file keys.json --workers 2 --json > loadgen.json`,
  )
  .action(async (scenario: string, options) => {
    const { runLoadgenCommand } = await import('./loadgen-command.ts');
    process.exitCode = await runLoadgenCommand(scenario, options);
  });
loadgen
  .command('export-k6')
  .description("write the scenario's traffic as a k6 script in TypeScript on stdout (one ramping-arrival-rate scenario per tenant group)")
  .argument('<scenario>', 'a bundled scenario name or a path to a .yaml file')
  .option('--url <url>', 'default API URL in the script (API_URL or the keys file apiUrl win when it runs)')
  .option('--keys-file <file>', 'check the keys file now (the script reads KEYS_FILE when it runs; keys are never written into it)')
  .option('--seed <n>', 'override the scenario seed (payloads)', integer)
  .option('--duration <d>', 'override the duration')
  .option('--set <key=value>', 'override any scenario key (repeatable)', collect, [])
  .option('--time-scale <k>', 'replay K times faster (stages shortened by K)')
  .option('--sample <f>', 'fraction of events sent, each weighted 1/F (default 1/K)')
  .option('--id-prefix <p>', 'prefix of every event id (default s<seed>-)')
  .addHelpText(
    'after',
    `
Examples:
  npm run loadgen -- export-k6 burst-spike > script.ts && KEYS_FILE=keys.json k6 run script.ts
  npm run loadgen -- export-k6 steady --time-scale 10 > script.ts`,
  )
  .action(async (scenario: string, options) => {
    const { runExportK6Command } = await import('./loadgen-command.ts');
    process.exitCode = await runExportK6Command(scenario, options);
  });

// `pipeline up | audit | status | cleanup`: the real pipeline (docs/pipeline.md).
const pipeline = program
  .command('pipeline')
  .description('the real pipeline on embedded AWS: up (provision, serve, Ctrl-C drains), audit, status, cleanup');
pipeline
  .command('up')
  .description("provision a scenario's stream, tables, delivery stream and tenants, start the ingest API and processor, stay up until Ctrl-C")
  .option('--scenario <name|path>', 'a bundled scenario name or a path to a .yaml file', 'steady')
  .option('--target <t>', 'where AWS runs: embedded (kinesalite, dynalite, s3rver and our Firehose behind one edge port), localstack, or aws (billed: needs --confirm-aws, --max-cost-usd and --firehose-role-arn)', 'embedded')
  .option('--endpoint <url>', 'localstack: where LocalStack answers (default http://localhost:4566; start it with `docker compose up -d`)')
  .option('--confirm-aws', 'aws: yes, create billed resources in the account of the default AWS credentials')
  .option('--max-cost-usd <n>', "aws: refuse when the simulator's cost estimate for the scenario is above N dollars")
  .option('--firehose-role-arn <arn>', 'aws: the IAM role Firehose assumes to write to the bucket (ingestlab creates no IAM role)')
  .option('--region <r>', "aws: the region (default: the scenario's)")
  .option('--port <n>', 'the edge port (default: a free one)', integer)
  .option('--api-port <n>', "the ingest API's port (default: a free one)", integer)
  .option('--keys-file <file>', 'where to write tenant ids and API keys, mode 0600 (default reports/out/pipeline/keys.json)')
  .option('--max-tenants <n>', 'provision at most this many of the scenario tenants (default 100)', integer)
  .option('--tenant-limit <n|none>', "events/s per tenant (default: the scenario's apiGateway.tenantLimit, else the seed's 200)")
  .option('--data-dir <dir>', 'keep the emulators\' data on disk here instead of in memory')
  .option('--no-processor-thread', "run the processor on the API's thread instead of a worker thread of its own")
  .option('--no-gateway', 'embedded, localstack: serve the raw emulators, without the quota gateway (no AWS limit enforced, no CloudWatch metrics, no autoscaler)')
  .option('--time-scale <k>', "the quota gateway's scenario clock: K scenario seconds per wall second (default 1)")
  .addHelpText(
    'after',
    `
On embedded and localstack the quota gateway is on by default: AWS limits from the simulator's models (per-shard
writes and reads, UpdateShardCount's rules, table capacity, Firehose quotas), CloudWatch metrics, the scenario's
faults, and its scaling policies run by the autoscaler runner, all on the scenario clock.

The keys file is {"apiUrl", "edgeUrl", "tenants": [{"id", "apiKey", "eventsPerSecond"}]}; \`npm run loadgen\` reads it.

On aws, Ctrl-C drains and then removes every resource of the run (named ingestlab-<runid>-..., tagged ingestlab/run);
after a crash, \`npm run pipeline -- cleanup --target aws\` removes what is left.

Examples:
  npm run pipeline -- up
  npm run pipeline -- up --scenario burst-spike --api-port 3000 --keys-file keys.json
  npm run pipeline -- up --scenario burst-spike --time-scale 20
  npm run pipeline -- up --no-gateway
  docker compose up -d && npm run pipeline -- up --target localstack
  npm run pipeline -- up --target aws --confirm-aws --max-cost-usd 5 --firehose-role-arn arn:aws:iam::123456789012:role/firehose-to-s3`,
  )
  .action(async (options) => {
    const { runPipelineUp } = await import('./pipeline-command.ts');
    process.exitCode = await runPipelineUp(options);
  });
pipeline
  .command('audit')
  .description('count accepted, in Kinesis, stored, delivered and dead-lettered events of the running pipeline; exit 98 if one is lost or stored twice')
  .option('--json', 'print the audit as JSON')
  .option('--api <url>', 'the ingest API (default: from the state file `up` writes)')
  .option('--edge <url>', 'the edge (default: from the state file)')
  .option('--settle <s>', 'seconds to let the processor and Firehose catch up before a shortfall counts (default 15)')
  .action(async (options) => {
    const { runPipelineAudit } = await import('./pipeline-command.ts');
    process.exitCode = await runPipelineAudit(options);
  });
pipeline
  .command('status')
  .description("what is running: the API's counters, shards, tables, the processor's progress")
  .option('--json', 'print the status as JSON')
  .action(async (options) => {
    const { runPipelineStatus } = await import('./pipeline-command.ts');
    process.exitCode = await runPipelineStatus(options);
  });
if (argv[2] === 'pipeline') {
  // Only `pipeline ...` pays for loading the clean-up command's AWS clients.
  const { registerCleanupCommand } = await import('../pipeline/cleanup-command.ts');
  registerCleanupCommand(pipeline);
}

try {
  await program.parseAsync(argv);
} catch (error) {
  const { code, message } = failureOf(error, debug);
  if (message) process.stderr.write(`${message}\n`);
  if (code !== 0) {
    // Under `npm run` without `--`, npm keeps our flags for itself; say what to type.
    const longFlags = [...new Set(program.commands.flatMap((c) => c.options.filter((o) => o.long && !o.negate).map((o) => o.long!)))];
    const hint = npmSwallowHint(longFlags, program.args.slice(1));
    if (hint) process.stderr.write(`${hint}\n`);
  }
  process.exitCode = code;
}
