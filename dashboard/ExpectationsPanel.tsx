/** The scenario's expectations: green while they hold, red once broken, grey while they cannot be judged yet. */
import { Text } from 'ink';
import type { ExpectationView } from './run-source.ts';

export interface ExpectationsPanelProps {
  readonly expectations: readonly ExpectationView[];
  readonly width: number;
  readonly lines: number;
}

const MARK = { ok: '✓', broken: '✗', pending: '·' } as const;
const COLOR = { ok: 'green', broken: 'red', pending: 'gray' } as const;

export function ExpectationsPanel(props: ExpectationsPanelProps) {
  const label = 'Expect'.padEnd(8);
  if (props.expectations.length === 0) {
    return (
      <Text wrap="truncate-end">
        <Text bold>{label}</Text>
        <Text dimColor>none in this scenario</Text>
      </Text>
    );
  }
  // Lay items out in up to `lines` lines of `width` columns; broken ones first so they are never cut off.
  const items = [...props.expectations].sort((a, b) => rank(a) - rank(b));
  const rows: ExpectationView[][] = [[]];
  let used = label.length;
  let cut = 0;
  for (const item of items) {
    const w = text(item).length + 2;
    if (used + w > props.width) {
      if (rows.length === props.lines) {
        cut++;
        continue;
      }
      rows.push([]);
      used = label.length;
    }
    rows[rows.length - 1]!.push(item);
    used += w;
  }
  return (
    <>
      {rows.map((row, i) => (
        <Text key={i} wrap="truncate-end">
          <Text bold>{i === 0 ? label : ' '.repeat(label.length)}</Text>
          {row.map((item, j) => (
            <Text key={j} color={COLOR[item.status]}>
              {text(item) + '  '}
            </Text>
          ))}
          {i === rows.length - 1 && cut > 0 ? <Text dimColor>{`+${cut} more`}</Text> : null}
        </Text>
      ))}
    </>
  );
}

function rank(e: ExpectationView): number {
  return e.status === 'broken' ? 0 : e.status === 'pending' ? 2 : 1;
}

function text(e: ExpectationView): string {
  return `${MARK[e.status]} ${e.label}${e.detail ? ` (${e.detail})` : ''}`;
}
