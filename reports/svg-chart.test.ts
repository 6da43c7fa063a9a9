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
