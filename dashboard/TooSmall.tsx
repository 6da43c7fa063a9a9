/**
 * What the dashboard shows in a terminal smaller than its 80×24 floor: the header line (progress, ETA, speed, state)
 * cut to the width, and the size it needs, instead of a full frame that would wrap and scroll. Keys still work.
 */
import { Box, Text } from 'ink';
import { Header } from './Header.tsx';
import { MIN_COLUMNS, MIN_ROWS } from './layout.ts';
import type { RunSnapshot } from './run-source.ts';

export interface TooSmallProps {
  readonly snapshot: RunSnapshot;
  readonly columns: number;
  readonly rows: number;
}

/** The notice, in as few words as fit the width. */
export function tooSmallText(columns: number, rows: number): string {
  const size = `${Math.floor(columns)}×${Math.floor(rows)}`;
  const long = `The dashboard needs at least ${MIN_COLUMNS}×${MIN_ROWS}; this terminal is ${size}. Enlarge it, or press q: the summary prints when the run ends.`;
  if (long.length <= columns * Math.max(1, rows - 2)) return long;
  return `needs ${MIN_COLUMNS}×${MIN_ROWS}, is ${size}; q quits`;
}

export function TooSmall({ snapshot: s, columns, rows }: TooSmallProps) {
  const width = Math.max(1, Math.floor(columns));
  return (
    <Box flexDirection="column" width={width}>
      <Header
        scenario={s.scenario}
        target={s.target}
        time={s.time}
        duration={s.duration}
        draining={s.draining}
        done={s.done}
        paused={s.paused}
        speed={s.speed}
        etaSeconds={s.etaSeconds}
        width={width}
        {...(s.real ? { real: s.real } : {})}
      />
      <Text wrap="wrap" color="yellow">
        {tooSmallText(columns, rows)}
      </Text>
    </Box>
  );
}
