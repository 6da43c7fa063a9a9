/** The bottom line: the keys and what they do now. */
import { Text } from 'ink';

export interface KeyHelpProps {
  readonly paused: boolean;
  readonly done: boolean;
  /** False for runs at wall-clock pace, where + and - do nothing. */
  readonly speedAdjustable: boolean;
  readonly width: number;
}

export function KeyHelp(props: KeyHelpProps) {
  const keys: [string, string][] = props.done
    ? [['q', 'quit and print the summary']]
    : [
        ['space', props.paused ? 'resume' : 'pause'],
        ...(props.speedAdjustable ? ([['+', 'faster'], ['-', 'slower']] as [string, string][]) : []),
        ['q', 'quit (prints the summary so far)'],
      ];
  return (
    <Text wrap="truncate-end">
      {props.done ? <Text color="green">run finished · </Text> : null}
      {keys.map(([key, what], i) => (
        <Text key={key}>
          {i > 0 ? <Text dimColor> · </Text> : null}
          <Text bold color="cyan">
            {key}
          </Text>
          <Text dimColor>{` ${what}`}</Text>
        </Text>
      ))}
    </Text>
  );
}
