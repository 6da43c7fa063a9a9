/** The cost of the run so far (every service, list prices) and per million delivered events (stored and in S3). */
import { Text } from 'ink';
import { money } from '../reports/format.ts';
import { fitParts } from './fit.ts';

export interface CostPanelProps {
  readonly totalUsd: number;
  readonly perMillionEventsUsd: number | null;
  readonly width: number;
}

export function CostPanel(props: CostPanelProps) {
  const label = 'Cost'.padEnd(8);
  const perMillion = props.perMillionEventsUsd === null ? 'no events yet' : `${money(props.perMillionEventsUsd)}/M events`;
  return (
    <Text wrap="truncate-end">
      <Text bold>{label}</Text>
      <Text color="green">{fitParts([`${money(props.totalUsd)} so far`, perMillion], props.width - label.length)}</Text>
    </Text>
  );
}
