/** Throttled records per second for each service and the stream's iterator age, each with a sparkline of recent points. */
import { Box, Text } from 'ink';
import { int, ms } from '../reports/format.ts';
import { sparkline } from './chart.ts';

export interface ThrottlesPanelProps {
  readonly kinesis: readonly number[];
  readonly dynamodb: readonly number[];
  readonly firehose: readonly number[];
  readonly kinesisNow: number;
  readonly dynamodbNow: number;
  readonly firehoseNow: number;
  readonly iteratorAge: readonly number[];
  readonly iteratorAgeNowMs: number;
  readonly maxIteratorAgeMs: number;
  readonly width: number;
  readonly sparkWidth: number;
}

const VALUE_WIDTH = 8;

export function ThrottlesPanel(props: ThrottlesPanelProps) {
  const age = ms(props.iteratorAgeNowMs);
  const max = `max ${ms(props.maxIteratorAgeMs)}`;
  const row = (label: string, service: string, series: readonly number[], now: number, text: string, bad: boolean) => (
    <Text wrap="truncate-end">
      <Text bold>{label.padEnd(13)}</Text>
      {service.padEnd(9)}
      <Text color={bad ? 'red' : 'gray'}>{sparkline(series, props.sparkWidth)}</Text>
      <Text color={bad && now > 0 ? 'red' : undefined}>{text.padStart(VALUE_WIDTH)}</Text>
    </Text>
  );
  return (
    <Box flexDirection="column" width={props.width}>
      {row('Throttles/s', 'Kinesis', props.kinesis, props.kinesisNow, int(props.kinesisNow), true)}
      {row('', 'DynamoDB', props.dynamodb, props.dynamodbNow, int(props.dynamodbNow), true)}
      {row('', 'Firehose', props.firehose, props.firehoseNow, int(props.firehoseNow), true)}
      <Text wrap="truncate-end">
        <Text bold>{'Iterator age'.padEnd(13)}</Text>
        <Text color="gray">{sparkline(props.iteratorAge, Math.max(4, props.width - 13 - age.length - max.length - 2))}</Text>
        {` ${age}`}
        <Text dimColor>{` ${max}`}</Text>
      </Text>
    </Box>
  );
}
