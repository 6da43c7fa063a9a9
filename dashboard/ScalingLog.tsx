/** The latest scaling actions, newest last, each with the policy's reason; refusals in red. */
import { Box, Text } from 'ink';
import type { ScalingAction } from '../sim/autoscaler.ts';
import { int, seconds } from '../reports/format.ts';

export interface ScalingLogProps {
  readonly actions: readonly ScalingAction[];
  /** Lines for actions (the title comes on top). */
  readonly lines: number;
  readonly width: number;
}

export function ScalingLog(props: ScalingLogProps) {
  const shown = props.actions.slice(-props.lines);
  const hidden = props.actions.length - shown.length;
  return (
    <Box flexDirection="column" width={props.width}>
      <Text wrap="truncate-end">
        <Text bold>Scaling actions</Text>
        <Text dimColor>{` ${props.actions.length} so far${hidden > 0 ? `, latest ${shown.length}` : ''}`}</Text>
      </Text>
      {shown.map((a, i) => (
        <Text key={hidden + i} wrap="truncate-end" color={a.refusal ? 'red' : undefined}>
          {seconds(a.atSeconds).padStart(8)}
          {'  '}
          <Text bold>{`${a.service} ${a.resource} ${int(a.from)} → ${int(a.to)}`}</Text>
          {a.refusal ? ` REFUSED (${a.refusal})` : ''}
          <Text dimColor>{`  ${a.reason}`}</Text>
        </Text>
      ))}
      {Array.from({ length: props.lines - shown.length }, (_, i) => (
        <Text key={`empty-${i}`} dimColor>
          {i === 0 && shown.length === 0 ? '         none yet' : ' '}
        </Text>
      ))}
    </Box>
  );
}
