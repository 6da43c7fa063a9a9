/**
 * A report as a list of blocks (headings, paragraphs, tables, charts), rendered once to GitHub markdown (tables, no
 * raw HTML; charts as linked .svg images) and once to a self-contained HTML page (inline CSS and SVG, no scripts, no
 * external fonts, prints well). Both renderers are pure.
 */
import { escapeXml } from './svg-chart.ts';

export interface Chart {
  /** File-name-safe id: the markdown links `charts/<id>.svg`. */
  id: string;
  title: string;
  svg: string;
  /** One sentence under the chart saying how to read it. */
  caption: string;
}

export type Block =
  | { kind: 'h1' | 'h2' | 'h3'; text: string }
  | { kind: 'p'; text: string; strong?: boolean }
  | { kind: 'verdict'; text: string; ok: boolean }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; head: string[]; rows: string[][]; align?: ('l' | 'r')[] }
  | { kind: 'chart'; chart: Chart }
  | { kind: 'note'; text: string };

/** Markdown cell text: pipes escaped, newlines folded, HTML-looking brackets kept literal. */
function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/</g, '&lt;');
}

function mdText(text: string): string {
  return text.replace(/</g, '&lt;');
}

export function renderMarkdown(blocks: readonly Block[], options: { chartDir?: string } = {}): string {
  const dir = options.chartDir ?? 'charts';
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'h1':
        out.push(`# ${mdText(b.text)}`);
        break;
      case 'h2':
        out.push(`## ${mdText(b.text)}`);
        break;
      case 'h3':
        out.push(`### ${mdText(b.text)}`);
        break;
      case 'p':
        out.push(b.strong ? `**${mdText(b.text)}**` : mdText(b.text));
        break;
      case 'verdict':
        out.push(`> **Verdict:** ${mdText(b.text)}`);
        break;
      case 'note':
        out.push(`_${mdText(b.text)}_`);
        break;
      case 'list':
        out.push(b.items.map((i) => `- ${mdText(i)}`).join('\n'));
        break;
      case 'table': {
        const align = b.head.map((_, i) => (b.align?.[i] === 'r' ? '---:' : '---'));
        out.push(
          [`| ${b.head.map(mdCell).join(' | ')} |`, `| ${align.join(' | ')} |`, ...b.rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`)].join('\n'),
        );
        break;
      }
      case 'chart':
        out.push(`![${mdText(b.chart.title)}](${dir}/${b.chart.id}.svg)\n\n_${mdText(b.chart.caption)}_`);
        break;
    }
  }
  return out.join('\n\n') + '\n';
}

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #212529; margin: 0 auto; max-width: 980px; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #dee2e6; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
p { margin: 6px 0; }
.verdict { border-left: 5px solid #c92a2a; background: #fff5f5; padding: 10px 14px; margin: 14px 0; font-weight: 600; }
.verdict.ok { border-color: #2b8a3e; background: #ebfbee; }
.note { color: #495057; font-style: italic; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13px; width: 100%; }
th, td { border: 1px solid #dee2e6; padding: 3px 8px; text-align: left; vertical-align: top; }
td.wrap { overflow-wrap: anywhere; min-width: 8em; }
.table { overflow-x: auto; max-width: 100%; }
th { background: #f1f3f5; }
td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 12px 0 18px; break-inside: avoid; page-break-inside: avoid; }
figure svg { max-width: 100%; height: auto; border: 1px solid #e9ecef; }
figcaption { color: #495057; font-size: 12px; margin-top: 2px; }
ul { margin: 6px 0; padding-left: 22px; }
@media print { body { max-width: none; padding: 0; font-size: 11px; } h2 { break-after: avoid; } table { break-inside: auto; } tr { break-inside: avoid; } }
`;

export function renderHtml(title: string, blocks: readonly Block[]): string {
  const out: string[] = [];
  out.push('<!DOCTYPE html>');
  out.push('<html lang="en">');
  out.push('<head>');
  out.push('<meta charset="utf-8">');
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>${escapeXml(title)}</title>`);
  out.push(`<style>${CSS}</style>`);
  out.push('</head>');
  out.push('<body>');
  for (const b of blocks) {
    switch (b.kind) {
      case 'h1':
      case 'h2':
      case 'h3':
        out.push(`<${b.kind}>${escapeXml(b.text)}</${b.kind}>`);
        break;
      case 'p':
        out.push(b.strong ? `<p><strong>${escapeXml(b.text)}</strong></p>` : `<p>${escapeXml(b.text)}</p>`);
        break;
      case 'verdict':
        out.push(`<p class="verdict${b.ok ? ' ok' : ''}">Verdict: ${escapeXml(b.text)}</p>`);
        break;
      case 'note':
        out.push(`<p class="note">${escapeXml(b.text)}</p>`);
        break;
      case 'list':
        out.push(`<ul>${b.items.map((i) => `<li>${escapeXml(i)}</li>`).join('')}</ul>`);
        break;
      case 'table': {
        const cls = (i: number) => (b.align?.[i] === 'r' ? ' class="r"' : '');
        // Long text (sources, URLs, reasons) may break anywhere; short cells keep their words whole.
        const td = (c: string, i: number) => (c.length > 24 && b.align?.[i] !== 'r' ? ' class="wrap"' : cls(i));
        // A wide table (the price table has ten columns) scrolls inside its own box instead of overflowing the page.
        out.push('<div class="table"><table>');
        out.push(`<thead><tr>${b.head.map((h, i) => `<th${cls(i)}>${escapeXml(h)}</th>`).join('')}</tr></thead>`);
        out.push(`<tbody>${b.rows.map((r) => `<tr>${r.map((c, i) => `<td${td(c, i)}>${escapeXml(c)}</td>`).join('')}</tr>`).join('\n')}</tbody>`);
        out.push('</table></div>');
        break;
      }
      case 'chart':
        out.push(`<figure>${b.chart.svg}<figcaption>${escapeXml(b.chart.caption)}</figcaption></figure>`);
        break;
    }
  }
  out.push('</body>');
  out.push('</html>');
  return out.join('\n') + '\n';
}

/** Charts of a block list, for writing next to report.md. */
export function chartsOf(blocks: readonly Block[]): Chart[] {
  return blocks.flatMap((b) => (b.kind === 'chart' ? [b.chart] : []));
}
