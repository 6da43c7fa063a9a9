/**
 * Reads the trace files a scenario's tenant groups name (`trace: { file }`, relative to the scenario file's folder)
 * and fills in each group's rate series; problems come back with the trace file's line, or the scenario's line when
 * the file cannot be read. The loader's only other file I/O is the scenario itself (load.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ScenarioProblem } from '../sim/errors.ts';
import type { TenantGroup } from '../sim/traffic.ts';
import { parseTrace, TraceError } from './trace.ts';

/** Line and column of a scenario path (e.g. ['tenants', 0, 'trace', 'file']) in the scenario file. */
export type Locate = (path: readonly (string | number)[]) => { line: number; column: number };

export function attachTraces(tenants: readonly TenantGroup[], scenarioFile: string, locate: Locate): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  tenants.forEach((group, i) => {
    const trace = group.trace;
    if (!trace) return;
    const path = ['tenants', i, 'trace', 'file'] as const;
    const file = isAbsolute(trace.file) ? trace.file : resolve(dirname(scenarioFile), trace.file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, expected a file' : (error as Error).message;
      problems.push({ file: scenarioFile, ...locate(path), path: `tenants[${i}].trace.file`, message: `cannot read trace ${trace.file} (${file}): ${why}` });
      return;
    }
    try {
      const series = parseTrace(text, { ...(trace.column ? { column: trace.column } : {}), ...(/\.json$/i.test(file) ? { format: 'json' as const } : {}) });
      // The group is the loader's own freshly parsed object: fill in what sim/ reads.
      (trace as { series?: typeof series }).series = series;
    } catch (error) {
      if (!(error instanceof TraceError)) throw error;
      problems.push({ file, line: error.line, column: error.column, path: `tenants[${i}].trace`, message: error.message });
    }
  });
  return problems;
}
