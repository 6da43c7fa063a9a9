import { describe, expect, it } from 'vitest';
import { stackedBars } from './svg-chart.ts';

const bars = (labels: string[]) =>
  stackedBars({ id: 'b', title: 't', bars: labels.map((label) => ({ label, segments: [{ label: 's', value: 1, color: '#000' }] })), format: String });

describe('stacked bars (issue 9 #11)', () => {
  it('sizes the label column at 7.2 px a character plus 16: "ondemand" (8) ends at x = 16 + 57.6 − 8 = 65.6, not cut off', () => {
    const svg = bars(['baseline', 'ondemand']);
    expect(svg).toContain('<text x="65.6" y="');
    expect(svg).toContain('>ondemand<title>ondemand</title></text>');
  });

  it('ends a label longer than the 240 px column in an ellipsis and keeps the whole label as its tooltip', () => {
    const long = 'a-very-long-variant-label-that-goes-on-and-on';
    const svg = bars([long]);
    // (240 − 16) / 7.2 = 31 characters: 30 of the label and the ellipsis.
    expect(svg).toContain(`>${long.slice(0, 30)}…<title>${long}</title></text>`);
  });
});

describe('line charts leave gaps (issue 9 #11)', () => {
  it('a NaN (a disqualified sweep point) breaks the line instead of drawing to NaN: two subpaths, no "NaN" in the SVG', async () => {
    const { lineChart } = await import('./svg-chart.ts');
    const svg = lineChart({ id: 'l', title: 't', x: [1, 2, 3, 4, 5], series: [{ label: 'a', values: [1, 2, Number.NaN, 4, 5], color: '#000' }], xLabel: 'x', yLabel: 'y' });
    const d = /class="series"[^>]* d="([^"]+)"/.exec(svg)![1]!;
    expect(svg).not.toContain('NaN');
    expect(d.match(/M/g)).toHaveLength(2);
  });
});
