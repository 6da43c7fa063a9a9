import { render } from 'ink-testing-library';
import { expect, test } from 'vitest';
import { CostPanel } from './CostPanel.tsx';
import { plain } from './test-utils.ts';

test('the cost so far and per million events', () => {
  expect(plain(render(<CostPanel totalUsd={4.92} perMillionEventsUsd={0.961} width={39} />).lastFrame())).toBe('Cost    $4.92 so far · $0.961/M events');
  expect(plain(render(<CostPanel totalUsd={0} perMillionEventsUsd={null} width={39} />).lastFrame())).toBe('Cost    $0.00000 so far · no events yet');
});
