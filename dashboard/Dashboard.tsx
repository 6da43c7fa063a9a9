/**
 * The container: subscribes to a run source, maps keys to its controls and renders the layout for the terminal.
 * space pauses, + and - double and halve the speed, q (or Ctrl+C) stops the source and leaves; the command then
 * prints the summary. On a real run, the first q ends the load early and stays to show the drain and the audit; a
 * second q leaves at once (the command waits for the drain and the audit before printing the summary).
 */
import { useApp, useInput } from 'ink';
import { DashboardLayout } from './DashboardLayout.tsx';
import { MIN_COLUMNS, MIN_ROWS, layoutFor } from './layout.ts';
import { TooSmall } from './TooSmall.tsx';
import type { RunSource } from './run-source.ts';
import { useRunSnapshot } from './use-run-snapshot.ts';
import { useTerminalSize, type TerminalSize } from './use-terminal-size.ts';

export interface DashboardProps {
  readonly source: RunSource;
  /** Called after the source is stopped, before the dashboard unmounts. */
  readonly onQuit?: () => void;
  /** Fixed size instead of the terminal's (tests, captures). */
  readonly size?: TerminalSize;
  /** ANSI colours in the charts (Ink colours the rest as the terminal allows). */
  readonly color?: boolean;
}

export function Dashboard({ source, onQuit, size, color = false }: DashboardProps) {
  const { exit } = useApp();
  const terminal = useTerminalSize(size);
  const layout = layoutFor(terminal.columns, terminal.rows);
  const snapshot = useRunSnapshot(source, layout.chartPoints);
  useInput((input, key) => {
    if (input === 'q' || input === 'Q' || (key.ctrl && input === 'c')) {
      const real = snapshot.real;
      // A real run's first q ends its load early; the frame then shows the drain and the audit's verdict.
      if (real && !snapshot.done && !real.stopping) {
        source.stop();
        return;
      }
      source.stop();
      onQuit?.();
      exit();
    } else if (input === ' ') source.togglePause();
    else if (input === '+' || input === '=') source.faster();
    else if (input === '-' || input === '_') source.slower();
  });
  // Below the 80×24 floor a full frame would wrap and scroll: say the size it needs instead.
  if (terminal.columns < MIN_COLUMNS || terminal.rows < MIN_ROWS) return <TooSmall snapshot={snapshot} columns={terminal.columns} rows={terminal.rows} />;
  return <DashboardLayout snapshot={snapshot} layout={layout} color={color} />;
}
