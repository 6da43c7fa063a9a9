import { render } from 'ink-testing-library';
import { expect, test } from 'vitest';
import { plain } from './test-utils.ts';
import { ThrottlesPanel } from './ThrottlesPanel.tsx';

test('throttles per second for each service with sparklines, and the iterator age now and at its worst', () => {
  const frame = plain(
    render(
      <ThrottlesPanel
        kinesis={[0, 0, 4000, 8000]}
        dynamodb={[0, 0, 0, 0]}
        firehose={[0, 10, 0, 0]}
        kinesisNow={8000}
        dynamodbNow={0}
        firehoseNow={0}
        iteratorAge={[100, 200, 900]}
        iteratorAgeNowMs={900}
        maxIteratorAgeMs={12_500}
        width={39}
        sparkWidth={9}
      />,
    ).lastFrame(),
  );
  const lines = frame.split('\n');
  expect(lines[0]).toBe('Throttles/s  Kinesis         ▄█   8,000');
  expect(lines[1]).toBe('             DynamoDB                 0');
  expect(lines[2]).toBe('             Firehose       █         0');
  expect(lines[3]).toMatch(/^Iterator age +▁▂█ 900 ms max 12\.5 s$/);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(39);
});
