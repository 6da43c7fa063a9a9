/**
 * Offered load against capacity for one service, as a live line chart across the whole run: a title with the
 * capacity unit (shards, WCU), the current values, the plot, and the run's time axis.
 */
import asciichart from 'asciichart';
import { Box, Text } from 'ink';
import { int } from '../reports/format.ts';
import { lineChart, timeAxis } from './chart.ts';

export interface CapacityChartProps {
  readonly title: string;
  /** Capacity in the service's own unit, e.g. "4 shards" or "4,500 WCU". */
  readonly capacityLabel: string;
  readonly unit: string;
  readonly demand: readonly number[];
  readonly capacity: readonly number[];
  /** Null: not measured (shown so, never as 0). */
  readonly demandNow: number | null;
  readonly capacityNow: number | null;
  /** What the demand line is (default "offered"; a real run charts DynamoDB's consumed WCU). */
  readonly demandLabel?: string;
  /** Shown after the demand instead of the capacity (which the title carries), e.g. "offered not measured". */
  readonly note?: string;
  readonly width: number;
  /** Rows of the plot. */
  readonly height: number;
  /** End of the time axis, e.g. "40m". */
  readonly end: string;
  readonly color: boolean;
}

export function CapacityChart(props: CapacityChartProps) {
  const demandNow = props.demandNow;
  const capacityNow = props.capacityNow;
  const over = demandNow !== null && capacityNow !== null && demandNow > capacityNow + 1e-9 && capacityNow > 0;
  const lines = lineChart([props.demand, props.capacity], {
    width: props.width,
    height: props.height,
    points: props.width,
    ...(props.color ? { colors: [asciichart.cyan, asciichart.yellow] } : {}),
  });
  return (
    <Box flexDirection="column" width={props.width}>
      <Text wrap="truncate-end">
        <Text bold>{props.title}</Text>
        {' · '}
        <Text bold color={over ? 'red' : undefined}>
          {props.capacityLabel}
        </Text>
        <Text dimColor>{` (${props.unit})`}</Text>
      </Text>
      <Text wrap="truncate-end">
        <Text color="cyan">{props.demandLabel ?? 'offered'}</Text>
        {` ${demandNow === null ? 'not measured' : int(demandNow)} `}
        {props.note ? (
          // The capacity is in the title: the line keeps its width for the note.
          <Text dimColor>{`· ${props.note}`}</Text>
        ) : (
          <>
            <Text dimColor>vs</Text> <Text color="yellow">capacity</Text>
            {` ${capacityNow === null ? 'not measured' : int(capacityNow)}`}
            {over ? <Text color="red"> OVER</Text> : null}
          </>
        )}
      </Text>
      {lines.map((line, i) => (
        <Text key={i} wrap="truncate-end">
          {line}
        </Text>
      ))}
      <Text dimColor wrap="truncate-end">
        {timeAxis(props.width, '0', props.end)}
      </Text>
    </Box>
  );
}
