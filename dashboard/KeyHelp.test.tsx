import { render } from 'ink-testing-library';
import { expect, test } from 'vitest';
import { KeyHelp } from './KeyHelp.tsx';
import { plain } from './test-utils.ts';

test('the keys and what they do now', () => {
  expect(plain(render(<KeyHelp paused={false} done={false} speedAdjustable width={80} />).lastFrame())).toBe(
    'space pause · + faster · - slower · q quit (prints the summary so far)',
  );
  expect(plain(render(<KeyHelp paused done={false} speedAdjustable={false} width={80} />).lastFrame())).toBe('space resume · q quit (prints the summary so far)');
  expect(plain(render(<KeyHelp paused={false} done speedAdjustable width={80} />).lastFrame())).toBe('run finished · q quit and print the summary');
});
