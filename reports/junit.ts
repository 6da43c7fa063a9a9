/**
 * JUnit XML for `check`: one testsuite per scenario, one testcase per expectation and per baseline figure, failures
 * carrying actual and expected. No timings, so the same run gives the same bytes.
 */
import { changeText, num, regressionsOf, type ScenarioCheck } from './check-result.ts';

/** Escapes text for XML attributes and content, dropping characters XML 1.0 cannot hold. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

interface Case {
  classname: string;
  name: string;
  failure?: { type: string; message: string; body: string };
  /** Not evaluated: the figure is not measured on the real run (`check --target`). */
  skipped?: string;
}

export function junitXml(checks: readonly ScenarioCheck[]): string {
  const a = escapeXml;
  const suites = checks.map((check) => {
    const cases: Case[] = check.expectations.map((e) => {
      const actual = `${num(e.actual)}${e.detail ? ` (${e.detail})` : ''}`;
      const message = `${e.key}: actual ${actual}, expected ${e.expected}`;
      return {
        classname: `${check.name}.expect`,
        name: `${e.key} ${e.expected}`,
        ...(e.pass ? {} : { failure: { type: 'expectation', message, body: `actual:   ${actual}\nexpected: ${e.expected}` } }),
      };
    });
    for (const e of check.notMeasured ?? []) {
      cases.push({ classname: `${check.name}.expect`, name: `${e.key} ${e.expected}`, skipped: `not measured on ${check.target ?? 'this target'}` });
    }
    if (check.baseline.state === 'compared') {
      for (const c of check.baseline.comparisons) {
        const change = `${num(c.before)} → ${num(c.after)} (${changeText(c)})`;
        cases.push({
          classname: `${check.name}.baseline`,
          name: `${c.key} within +${c.tolerancePct}% of baseline`,
          ...(c.status === 'regressed'
            ? {
                failure: {
                  type: 'regression',
                  message: `${c.key}: ${change}, tolerance +${c.tolerancePct}% (${c.tolerance})`,
                  body: `before:    ${num(c.before)}\nafter:     ${num(c.after)}\nchange:    ${changeText(c)}\ntolerance: +${c.tolerancePct}% (${c.tolerance})`,
                },
              }
            : {}),
        });
      }
    }
    if (check.lost) {
      cases.unshift({
        classname: `${check.name}.audit`,
        name: 'every accepted event stored and delivered',
        failure: { type: 'lost', message: check.lost, body: check.lost },
      });
    }
    const failures = cases.filter((c) => c.failure).length;
    const skipped = cases.filter((c) => c.skipped).length;
    const notes = check.notes;
    const body = cases
      .map((c) =>
        c.failure
          ? `    <testcase classname="${a(c.classname)}" name="${a(c.name)}">\n      <failure type="${a(c.failure.type)}" message="${a(c.failure.message)}">${a(c.failure.body)}</failure>\n    </testcase>`
          : c.skipped
            ? `    <testcase classname="${a(c.classname)}" name="${a(c.name)}">\n      <skipped message="${a(c.skipped)}"/>\n    </testcase>`
            : `    <testcase classname="${a(c.classname)}" name="${a(c.name)}"/>`,
      )
      .join('\n');
    return [
      `  <testsuite name="${a(check.name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}">`,
      `    <properties>\n      <property name="file" value="${a(check.file)}"/>${check.target ? `\n      <property name="target" value="${a(check.target)}"/>` : ''}\n    </properties>`,
      ...(body ? [body] : []),
      ...(notes.length > 0 ? [`    <system-out>${a(notes.join('\n'))}</system-out>`] : []),
      '  </testsuite>',
    ].join('\n');
  });
  const tests = checks.reduce((n, c) => n + (c.lost ? 1 : 0) + c.expectations.length + (c.notMeasured?.length ?? 0) + (c.baseline.state === 'compared' ? c.baseline.comparisons.length : 0), 0);
  const skipped = checks.reduce((n, c) => n + (c.notMeasured?.length ?? 0), 0);
  const target = checks.find((c) => c.target)?.target;
  const failures = checks.reduce((n, c) => n + (c.lost ? 1 : 0) + c.expectations.filter((e) => !e.pass).length + regressionsOf(c).length, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ingestlab check${target ? ` --target ${a(target)}` : ''}" tests="${tests}" failures="${failures}" errors="0"${skipped > 0 ? ` skipped="${skipped}"` : ''}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

