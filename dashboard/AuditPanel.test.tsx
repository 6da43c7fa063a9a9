import { render } from 'ink-testing-library';
import { expect, test } from 'vitest';
import { AuditPanel } from './AuditPanel.tsx';
import { plain } from './test-utils.ts';

test('offered, accepted, dropped and stored, with shares', () => {
  const lines = plain(render(<AuditPanel offered={1_000_000} accepted={900_000} rejected={50_000} dropped={50_000} stored={890_000} width={39} />).lastFrame()).split('\n');
  expect(lines).toEqual([
    'Events  offered      1,000,000',
    '        accepted       900,000  90.0%',
    '        dropped         50,000  5.0%',
    '        stored         890,000  98.9%',
  ]);
});

test('rejected events are added when there is room', () => {
  const frame = plain(render(<AuditPanel offered={1_000_000} accepted={900_000} rejected={50_000} dropped={50_000} stored={0} width={48} />).lastFrame());
  expect(frame.split('\n')[0]).toBe('Events  offered      1,000,000  50,000 rejected');
});
