/**
 * Flag declarations shared by commands: commander only, so `ingestlab --help` loads nothing else. What the flags
 * turn into (loader overrides, price tables) lives in scenario-inputs.ts, loaded with the command that needs it.
 */
import { InvalidArgumentError, type Command } from 'commander';

export const collect = (value: string, previous: string[]) => [...previous, value];

export const integer = (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return n;
};

/** Adds the flags of every command that runs a scenario; `what` words the --set help ("every variant", …). */
export function withScenarioInputs(command: Command, what = 'any scenario key'): Command {
  return command
    .option('--seed <n>', 'override the scenario seed', integer)
    .option('--duration <d>', 'override the duration, e.g. 2h or 7d')
    .option('--resolution <d>', 'override the tick, e.g. 1s or 10s (long runs and sweeps go faster)')
    .option('--set <key=value>', `override ${what}, e.g. kinesis.shards=8 (repeatable)`, collect, [])
    .option('--prices <file>', 'YAML or JSON price entries that override the bundled price table')
    .option('--price-date <date>', 'bill with the prices in force on this date (YYYY-MM-DD)');
}

/** Where `check` keeps one baseline file per scenario unless --baseline says otherwise. */
export const DEFAULT_BASELINE_DIR = 'reports/baselines';
