/** Command-line overrides of scenario keys: `--set kinesis.shards=8` and the shorthand flags. */
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../sim/errors.ts';

export function parseOverrides(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects key=value (e.g. kinesis.shards=8), got "${pair}"`);
    // Values are YAML scalars or flow collections, so `8`, `true`, `none` and `{ policy: none }` all work.
    out[pair.slice(0, eq).trim()] = parseYaml(pair.slice(eq + 1));
  }
  return out;
}
