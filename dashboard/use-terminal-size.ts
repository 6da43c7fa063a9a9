/** The terminal's size, following resizes; `fixed` overrides it (tests, captures). */
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

export function useTerminalSize(fixed?: TerminalSize): TerminalSize {
  const { stdout } = useStdout();
  // One column short of the edge: a line that fills the last column leaves the terminal in its pending-wrap state,
  // which throws Ink's cursor arithmetic off by a line on some terminals (tmux among them).
  const read = (): TerminalSize => ({ columns: (stdout.columns || 81) - 1, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixed]);
  return fixed ?? size;
}
