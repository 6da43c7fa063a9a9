/**
 * Markdown for a pull-request comment: a verdict, a table per scenario with actual against expected, and the
 * baseline figures that moved (before → after, change, tolerance). Figures that did not move are only counted.
 */
import { changeText, num, scenarioPassed, tally, tallyLine, type ScenarioCheck } from './check-result.ts';

/** The first line of every comment, so a workflow can find and update its own comment. */
export const CHECK_COMMENT_MARKER = '<!-- ingestlab-capacity-check -->';

const cell = (text: string) => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
const mark = (ok: boolean) => (ok ? '✅' : '❌');

export function checkMarkdown(checks: readonly ScenarioCheck[]): string {
  const t = tally(checks);
  const out: string[] = [CHECK_COMMENT_MARKER, `## ${mark(t.failedScenarios === 0)} Capacity check${t.target ? ` on ${t.target}` : ''}: ${tallyLine(t)}`, ''];

  out.push('| | scenario | expectations | baseline |', '|---|---|---|---|');
  for (const c of checks) {
    const failed = c.expectations.filter((e) => !e.pass).length;
    const unmeasured = c.notMeasured?.length ? `${c.expectations.length === 0 ? '' : ', '}${c.notMeasured.length} not measured` : '';
    out.push(`| ${mark(scenarioPassed(c))} | ${cell(c.name)} | ${c.expectations.length === 0 ? (unmeasured ? '' : '–') : `${c.expectations.length - failed} of ${c.expectations.length} passed`}${unmeasured} | ${cell(baselineCell(c))} |`);
  }

  for (const c of checks) {
    out.push('', `### ${mark(scenarioPassed(c))} ${cell(c.name)}`, '', `\`${c.file}\`${c.target ? ` on ${c.target}` : ''}`, '');
    if (c.lost) out.push(`**❌ ${cell(c.lost)}**`, '');
    if (c.throughput) out.push(cell(c.throughput), '');
    if (c.expectations.length + (c.notMeasured?.length ?? 0) > 0) {
      out.push('| | expectation | actual | expected |', '|---|---|---|---|');
      for (const e of c.expectations) {
        const actual = `${num(e.actual)}${e.detail ? ` <sub>${cell(e.detail)}</sub>` : ''}`;
        out.push(`| ${mark(e.pass)} | ${code(e.key)} | ${actual} | ${code(e.expected)} |`);
      }
      for (const e of c.notMeasured ?? []) out.push(`| ➖ | ${code(e.key)} | not measured on ${cell(c.target ?? 'this target')} | ${code(e.expected)} |`);
    } else {
      out.push('_No expectations in this scenario._');
    }
    if (c.baseline.state === 'compared') {
      const moved = c.baseline.comparisons.filter((f) => f.status !== 'unchanged');
      const still = c.baseline.comparisons.length - moved.length;
      out.push('');
      if (moved.length === 0) {
        out.push(`**Baseline:** all ${c.baseline.comparisons.length} key figures unchanged.`);
      } else {
        out.push(`**Baseline** (\`${c.baseline.file}\`): ${moved.length} changed${still > 0 ? `, ${still} unchanged` : ''}`, '');
        out.push('| | figure | before | after | change | tolerance |', '|---|---|---|---|---|---|');
        for (const f of moved) {
          const icon = f.status === 'regressed' ? '❌' : f.status === 'better' ? '⬇️' : f.status === 'worse' ? '⬆️' : 'ℹ️';
          out.push(`| ${icon} | ${code(f.key)} | ${num(f.before)} | ${num(f.after)} | ${changeText(f)} | +${f.tolerancePct}% |`);
        }
      }
    }
    if (c.notes.length > 0) out.push('', ...c.notes.map((n) => `- ${n}`));
  }
  out.push('', `<sub>ingestlab check · ❌ fails the check${t.notMeasured > 0 ? ' · ➖ not measured on a real run' : ''} · ⬆️ rose within tolerance · ⬇️ improved · see docs/check.md</sub>`, '');
  return out.join('\n');
}

function baselineCell(c: ScenarioCheck): string {
  switch (c.baseline.state) {
    case 'compared': {
      const regressed = c.baseline.comparisons.filter((f) => f.status === 'regressed').length;
      const moved = c.baseline.comparisons.filter((f) => f.status !== 'unchanged').length;
      return regressed > 0 ? `${regressed} regressed` : moved > 0 ? `${moved} changed within tolerance` : 'unchanged';
    }
    case 'missing':
      return 'no baseline';
    case 'updated':
      return 'updated';
    case 'off':
      return '–';
  }
}
