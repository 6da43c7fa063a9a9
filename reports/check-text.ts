/** The terminal view of `check`: per scenario, each expectation's actual against expected, then moved baseline figures. */
import { changeText, num, scenarioPassed, tally, tallyLine, type ScenarioCheck } from './check-result.ts';
import { table } from './format.ts';

export function checkText(checks: readonly ScenarioCheck[]): string {
  const out: string[] = [];
  for (const c of checks) {
    out.push(`${scenarioPassed(c) ? '✓' : '✗'} ${c.name}  ${c.file}${c.target ? `  on ${c.target}` : ''}`);
    if (c.lost) out.push(`    ✗  ${c.lost}`);
    if (c.throughput) out.push(`    ${c.throughput}`);
    const unmeasured = c.notMeasured ?? [];
    if (c.expectations.length + unmeasured.length > 0) {
      out.push(
        table(
          [
            ...c.expectations.map((e) => [e.pass ? '✓' : '✗', e.key, num(e.actual), e.expected, e.detail ?? '']),
            ...unmeasured.map((e) => ['–', e.key, 'not measured', e.expected, `not measured on ${c.target ?? 'this target'}: neither passed nor failed`]),
          ],
          '    ',
        ).replace(/ +$/gm, ''),
      );
    } else {
      out.push('    (no expectations)');
    }
    if (c.baseline.state === 'compared') {
      const moved = c.baseline.comparisons.filter((f) => f.status !== 'unchanged');
      out.push(`  baseline ${c.baseline.file}: ${moved.length === 0 ? 'all key figures unchanged' : `${moved.length} of ${c.baseline.comparisons.length} key figures changed`}`);
      if (moved.length > 0) {
        out.push(
          table(
            moved.map((f) => [
              f.status === 'regressed' ? '✗' : ' ',
              f.key,
              `${num(f.before)} → ${num(f.after)}`,
              changeText(f),
              `tolerance +${f.tolerancePct}%${f.status === 'regressed' ? '  REGRESSION' : f.status === 'better' ? '  better' : ''}`,
            ]),
            '    ',
          ),
        );
      }
    }
    for (const note of c.notes) out.push(`  note: ${note}`);
    out.push('');
  }
  out.push(`${tally(checks).failedScenarios === 0 ? '✓' : '✗'} ${tallyLine(tally(checks))}`);
  return out.join('\n') + '\n';
}
