import { render } from 'ink-testing-library';
import { expect, test } from 'vitest';
import { FirehosePanel } from './FirehosePanel.tsx';
import { plain } from './test-utils.ts';

const props = { bufferedBytes: 2.5 * 1024 * 1024, bufferLimitBytes: 5 * 1024 * 1024, objects: 1234, deliveredEvents: 2_000_000, deliveredBytes: 1024 ** 3 };

test('buffer against its flush size and deliveries, as much as the width allows', () => {
  expect(plain(render(<FirehosePanel {...props} width={39} />).lastFrame())).toBe('Firehose     buffer 50% · 1,234 objects');
  expect(plain(render(<FirehosePanel {...props} width={100} />).lastFrame())).toBe(
    'Firehose     buffer 50% · 1,234 objects · 2,000,000 events to S3 · buffer 2.5 MiB of 5.0 MiB',
  );
});
