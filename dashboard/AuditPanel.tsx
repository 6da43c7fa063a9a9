/** The audit counts: offered, accepted, dropped and stored events so far, with shares of offered. */
import { Box, Text } from 'ink';
import { int, pct } from '../reports/format.ts';

export interface AuditPanelProps {
  readonly offered: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly dropped: number;
  readonly stored: number;
  readonly width: number;
}

export function AuditPanel(props: AuditPanelProps) {
  const n = Math.max(13, int(props.offered).length + 1);
  const row = (label: string, name: string, value: number, share: string, color?: string) => (
    <Text wrap="truncate-end">
      <Text bold>{label.padEnd(8)}</Text>
      {name.padEnd(9)}
      <Text color={color}>{int(value).padStart(n)}</Text>
      <Text dimColor>{share ? `  ${share}` : ''}</Text>
    </Text>
  );
  const wide = props.width >= 44;
  return (
    <Box flexDirection="column" width={props.width}>
      {row('Events', 'offered', props.offered, wide && props.rejected >= 1 ? `${int(props.rejected)} rejected` : '')}
      {row('', 'accepted', props.accepted, pct(props.accepted, props.offered))}
      {row('', 'dropped', props.dropped, pct(props.dropped, props.offered), props.dropped >= 1 ? 'red' : undefined)}
      {row('', 'stored', props.stored, pct(props.stored, props.accepted))}
    </Box>
  );
}
