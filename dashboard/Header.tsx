/** The top line: scenario, simulated time against the duration, a progress bar, ETA, speed and run state. */
import { Box, Text } from 'ink';
import { seconds } from '../reports/format.ts';

export interface HeaderProps {
  readonly scenario: string;
  readonly target: string;
  readonly time: number;
  readonly duration: number;
  readonly draining: boolean;
  readonly done: boolean;
  readonly paused: boolean;
  /** Simulated seconds per wall second, or null at wall-clock pace. */
  readonly speed: number | null;
  readonly etaSeconds: number | null;
  readonly width: number;
}

export function formatSpeed(speed: number): string {
  return `×${speed >= 1 ? Math.round(speed).toLocaleString('en-US') : speed.toString()}`;
}

export function Header(props: HeaderProps) {
  const { time, duration } = props;
  const fraction = duration > 0 ? Math.min(1, time / duration) : 1;
  const state = props.done ? 'done' : props.paused ? 'PAUSED' : props.draining ? 'draining' : 'running';
  const stateColor = props.done ? 'green' : props.paused ? 'yellow' : props.draining ? 'magenta' : 'cyan';
  const clock = `${seconds(Math.min(time, duration))} / ${seconds(duration)}${time > duration ? ` +${seconds(time - duration)} drain` : ''}`;
  const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
  const eta = props.done ? '' : `ETA ${props.etaSeconds === null ? '–' : seconds(Math.round(props.etaSeconds))}`;
  const speed = props.speed === null ? 'real time' : formatSpeed(props.speed);
  const left = `${props.scenario} (${props.target})  ${clock} `;
  const right = ` ${pct}  ${eta ? eta + '  ' : ''}${speed}  `;
  const barWidth = Math.max(4, props.width - left.length - right.length - state.length);
  const filled = Math.round(fraction * barWidth);
  return (
    <Box width={props.width}>
      <Text wrap="truncate-end">
        <Text bold>{props.scenario}</Text>
        {` (${props.target})  ${clock} `}
        <Text color="cyan">{'█'.repeat(filled)}</Text>
        <Text dimColor>{'░'.repeat(barWidth - filled)}</Text>
        {right}
        <Text color={stateColor} bold>
          {state}
        </Text>
      </Text>
    </Box>
  );
}
