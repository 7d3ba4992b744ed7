import { describe, expect, it } from 'vitest';
import { lineChart, mmss, niceStep, niceTimeStep } from './svg-chart.ts';

describe('SVG line charts', () => {
  it('picks steps of 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(10)).toBe(2);
    expect(niceStep(37)).toBe(10);
    expect(niceStep(0.7)).toBe(0.2);
    expect(niceStep(0)).toBe(1);
    expect(mmss(125)).toBe('2:05');
  });

  it('steps a time axis in whole seconds and minutes', () => {
    expect(niceTimeStep(240)).toBe(30);
    expect(niceTimeStep(75)).toBe(10);
    expect(niceTimeStep(1900)).toBe(300);
  });

  it('draws one path per line, breaks it at gaps and escapes text', () => {
    const svg = lineChart({
      title: 'p99 <all>',
      yLabel: 'ms',
      lines: [
        {
          name: 'a',
          points: [
            [0, 1],
            [1, NaN],
            [2, 3],
          ],
        },
        {
          name: 'b',
          points: [
            [0, 2],
            [2, 2],
          ],
        },
      ],
      limit: { y: 5, label: 'p99 < 5' },
    });
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toMatch(/<path d="M[^"]*M[^"]*"[^>]*><title>a<\/title>/);
    expect(svg).toContain('p99 &lt;all&gt;');
    expect(svg).not.toContain('<all>');
  });

  it('gives an all-zero chart a 0 to 1 axis', () => {
    const svg = lineChart({
      title: 't',
      yLabel: 'y',
      lines: [
        {
          name: 'none',
          points: [
            [0, 0],
            [10, 0],
          ],
        },
      ],
    });
    expect(svg).toContain('>1</text>');
    expect(svg).toContain('>0.2</text>');
  });
});
