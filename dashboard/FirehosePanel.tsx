/** Firehose: what sits in the buffer against the size that flushes it, and what has been delivered to S3. */
import { Text } from 'ink';
import { bytes, int } from '../reports/format.ts';
import { fitParts } from './fit.ts';

export interface FirehosePanelProps {
  readonly bufferedBytes: number;
  readonly bufferLimitBytes: number;
  readonly objects: number;
  readonly deliveredEvents: number;
  readonly deliveredBytes: number;
  readonly width: number;
}

export function FirehosePanel(props: FirehosePanelProps) {
  const label = 'Firehose'.padEnd(13);
  const rest = fitParts(
    [
      `buffer ${props.bufferLimitBytes > 0 ? Math.round((100 * props.bufferedBytes) / props.bufferLimitBytes) : 0}%`,
      `${int(props.objects)} objects`,
      `${int(props.deliveredEvents)} events to S3`,
      `buffer ${bytes(props.bufferedBytes)} of ${bytes(props.bufferLimitBytes)}`,
      `${bytes(props.deliveredBytes)} delivered`,
    ],
    props.width - label.length,
  );
  return (
    <Text wrap="truncate-end">
      <Text bold>{label}</Text>
      {rest}
    </Text>
  );
}
