/**
 * Line charts as inline SVG: the report is one self-contained HTML file (no script, no CDN), so it
 * opens anywhere, attaches to a ticket and diffs as text. Written here because it is ~120 lines
 * and every charting library would need bundling into the page.
 */
export interface Line {
  name: string;
  /** [x, y]; y NaN leaves a gap. */
  points: readonly (readonly [number, number])[];
  color?: string;
  dashed?: boolean;
}

export interface Chart {
  title: string;
  yLabel: string;
  lines: readonly Line[];
  /** Vertical markers: phase boundaries (x, label). */
  marks?: readonly (readonly [number, string])[];
  /** Horizontal limit (e.g. a threshold), drawn dashed red. */
  limit?: { y: number; label: string };
  width?: number;
  height?: number;
  /** Formats x values (default: seconds as m:ss). */
  xFormat?: (x: number) => string;
}

export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export const mmss = (seconds: number): string =>
  `${Math.floor(seconds / 60)}:${String(Math.round(seconds % 60)).padStart(2, '0')}`;

/** A "nice" step (1, 2 or 5 times a power of ten) giving about `count` ticks up to `max`. */
export function niceStep(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

/** A step for a time axis in seconds (5 s, 15 s, 30 s, 1 min, 2 min, ...) giving about `count` ticks. */
export function niceTimeStep(maxSeconds: number, count = 8): number {
  const raw = maxSeconds / count;
  return (
    [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600].find((s) => s >= raw) ??
    niceStep(maxSeconds, count)
  );
}

const shortNumber = (n: number): string =>
  Math.abs(n) >= 10_000
    ? `${(n / 1000).toFixed(0)}k`
    : Math.abs(n) >= 1000
      ? `${(n / 1000).toFixed(1)}k`
      : `${+n.toFixed(2)}`;

export function lineChart(c: Chart): string {
  const width = c.width ?? 760;
  const height = c.height ?? 240;
  const pad = { left: 56, right: 12, top: 28, bottom: 28 };
  const legendRows = Math.ceil(c.lines.length / 4);
  const plotH = height - pad.top - pad.bottom;
  const plotW = width - pad.left - pad.right;
  const all = c.lines.flatMap((l) => l.points).filter(([, y]) => Number.isFinite(y));
  const xMax = Math.max(1, ...all.map(([x]) => x), ...(c.marks ?? []).map(([x]) => x));
  // All zero (no failed request): a 0-1 axis rather than ticks of 0.000000001.
  const yTop = Math.max(0, ...all.map(([, y]) => y), c.limit ? c.limit.y * 1.1 : 0) || 1;
  const yStep = niceStep(yTop);
  const yMax = Math.ceil(yTop / yStep) * yStep;
  const sx = (x: number) => pad.left + (x / xMax) * plotW;
  const sy = (y: number) => pad.top + plotH - (y / yMax) * plotH;
  const xFormat = c.xFormat ?? mmss;
  const xStep = c.xFormat ? niceStep(xMax, 8) : niceTimeStep(xMax, 8);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + legendRows * 16}" viewBox="0 0 ${width} ${height + legendRows * 16}" font-family="system-ui,sans-serif" font-size="11">`,
    `<text x="${pad.left}" y="16" font-size="13" font-weight="600">${esc(c.title)}</text>`,
    `<text x="12" y="${pad.top + plotH / 2}" transform="rotate(-90 12 ${pad.top + plotH / 2})" text-anchor="middle" fill="#555">${esc(c.yLabel)}</text>`,
  );
  for (let y = 0; y <= yMax + 1e-9; y += yStep) {
    out.push(
      `<line x1="${pad.left}" x2="${width - pad.right}" y1="${sy(y)}" y2="${sy(y)}" stroke="#e6e6e6"/>`,
      `<text x="${pad.left - 4}" y="${sy(y) + 4}" text-anchor="end" fill="#555">${shortNumber(y)}</text>`,
    );
  }
  for (let x = 0; x <= xMax + 1e-9; x += xStep)
    out.push(
      `<text x="${sx(x)}" y="${height - 10}" text-anchor="middle" fill="#555">${esc(xFormat(x))}</text>`,
    );
  out.push(
    `<line x1="${pad.left}" x2="${pad.left}" y1="${pad.top}" y2="${pad.top + plotH}" stroke="#999"/>`,
    `<line x1="${pad.left}" x2="${width - pad.right}" y1="${pad.top + plotH}" y2="${pad.top + plotH}" stroke="#999"/>`,
  );
  for (const [x, label] of c.marks ?? [])
    out.push(
      `<line x1="${sx(x)}" x2="${sx(x)}" y1="${pad.top}" y2="${pad.top + plotH}" stroke="#bbb" stroke-dasharray="3 3"/>`,
      `<text x="${sx(x) + 3}" y="${pad.top + 10}" fill="#888">${esc(label)}</text>`,
    );
  if (c.limit)
    out.push(
      `<line x1="${pad.left}" x2="${width - pad.right}" y1="${sy(c.limit.y)}" y2="${sy(c.limit.y)}" stroke="#c62828" stroke-dasharray="6 3"/>`,
      `<text x="${width - pad.right - 2}" y="${sy(c.limit.y) - 3}" text-anchor="end" fill="#c62828">${esc(c.limit.label)}</text>`,
    );
  c.lines.forEach((line, i) => {
    const color = line.color ?? PALETTE[i % PALETTE.length]!;
    // Gaps (NaN) split the path into runs.
    let d = '';
    let pen = false;
    for (const [x, y] of line.points) {
      if (!Number.isFinite(y)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${sx(x).toFixed(1)} ${sy(y).toFixed(1)}`;
      pen = true;
    }
    if (d)
      out.push(
        `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6"${line.dashed ? ' stroke-dasharray="5 3"' : ''}><title>${esc(line.name)}</title></path>`,
      );
    const lx = pad.left + (i % 4) * ((width - pad.left) / 4);
    const ly = height + Math.floor(i / 4) * 16;
    out.push(
      `<rect x="${lx}" y="${ly - 8}" width="12" height="3" fill="${color}"/>`,
      `<text x="${lx + 16}" y="${ly - 4}">${esc(line.name.length > 34 ? `${line.name.slice(0, 33)}…` : line.name)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('');
}
