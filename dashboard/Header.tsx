/**
 * The top line: scenario, simulated time against the duration, a progress bar, ETA, speed and run state. A run on a
 * real target says so, with its compression (×K) and sampling (F), and its phase (provisioning, draining, auditing).
 */
import { Box, Text } from 'ink';
import { seconds } from '../reports/format.ts';
import type { RealRunInfo } from './run-source.ts';

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
  readonly real?: RealRunInfo;
}

/**
 * "real run on embedded, compressed ×10, sampled 0.1" (or, when the line is short of room, "real: embedded ×10,
 * sample 0.1"): how a real run's counts relate to the scenario's.
 */
export function realRunLabel(real: RealRunInfo, short = false): string {
  const sample = +real.sample.toPrecision(4);
  if (short) return `real: ${real.target}${real.timeScale !== 1 ? ` ${formatSpeed(real.timeScale)}` : ''}${real.sample !== 1 ? `, sample ${sample}` : ''}`;
  return `real run on ${real.target}` + (real.timeScale !== 1 ? `, compressed ${formatSpeed(real.timeScale)}` : '') + (real.sample !== 1 ? `, sampled ${sample}` : '');
}

const REAL_STATES: Record<string, string> = { provisioning: 'starting', load: 'running', drain: 'draining', audit: 'auditing', failed: 'FAILED' };

export function formatSpeed(speed: number): string {
  return `×${speed >= 1 ? Math.round(speed).toLocaleString('en-US') : speed.toString()}`;
}

export function Header(props: HeaderProps) {
  const { time, duration } = props;
  const fraction = duration > 0 ? Math.min(1, time / duration) : 1;
  const real = props.real;
  const realState = real && (real.phase === 'failed' || !props.done) ? (real.stopping && real.phase === 'load' ? 'stopping' : (REAL_STATES[real.phase] ?? real.phase)) : undefined;
  const state = realState ?? (props.done ? 'done' : props.paused ? 'PAUSED' : props.draining ? 'draining' : 'running');
  const stateColor = state === 'done' ? 'green' : state === 'FAILED' ? 'red' : state === 'PAUSED' ? 'yellow' : state === 'running' ? 'cyan' : 'magenta';
  const clock = `${seconds(Math.min(time, duration))} / ${seconds(duration)}${time > duration ? ` +${seconds(time - duration)} drain` : ''}`;
  const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
  let eta = props.done ? '' : `ETA ${props.etaSeconds === null ? '–' : seconds(Math.round(props.etaSeconds))}`;
  // A real run's label carries its pace (×K): no speed on the right.
  const speed = real ? '' : props.speed === null ? 'real time' : formatSpeed(props.speed);
  let target = real ? realRunLabel(real) : props.target;
  const room = () => props.width - `${props.scenario} (${target})  ${clock} `.length - ` ${pct}  ${eta ? eta + '  ' : ''}${speed ? speed + '  ' : ''}`.length - state.length;
  // The state must stay on the line: a real run's label shortens first, then the ETA goes.
  if (real && room() < 4) target = realRunLabel(real, true);
  if (real && room() < 4) eta = '';
  const left = `${props.scenario} (${target})  ${clock} `;
  const right = ` ${pct}  ${eta ? eta + '  ' : ''}${speed ? speed + '  ' : ''}`;
  const barWidth = Math.max(real ? 1 : 4, props.width - left.length - right.length - state.length);
  const filled = Math.round(fraction * barWidth);
  return (
    <Box width={props.width}>
      <Text wrap="truncate-end">
        <Text bold>{props.scenario}</Text>
        {` (${target})  ${clock} `}
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
