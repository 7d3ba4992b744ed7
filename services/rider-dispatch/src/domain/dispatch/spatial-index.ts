import type { Point } from './types.ts';

/**
 * Uniform grid over a fixed set of points, scanned in rings of cells around a query point. A grid beats
 * a k-d tree here: it is rebuilt every round in O(n), and riders are spread fairly evenly over a zone.
 */
export interface SpatialIndex {
  readonly size: number;
  /**
   * Visits the items ring by ring, nearest rings first (order inside a ring is by cell, then insertion).
   * Before each ring after the first, `stop(d)` is asked with a lower bound `d` on the distance from
   * `at` to every item not yet visited; returning true ends the scan.
   */
  readonly scan: (
    at: Point,
    visit: (item: number) => void,
    stop: (unvisitedMinDistance: number) => boolean,
  ) => void;
}

const TARGET_ITEMS_PER_CELL = 2;
const MAX_CELLS_PER_SIDE = 1024;

export function createGridIndex(points: readonly Point[], cellSize?: number): SpatialIndex {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x);
    maxY = Math.max(maxY, p.y);
  }
  if (points.length === 0) return { size: 0, scan: () => undefined };
  const width = Math.max(maxX - minX, 1);
  const height = Math.max(maxY - minY, 1);
  const autoSize = Math.sqrt((width * height * TARGET_ITEMS_PER_CELL) / points.length);
  const size = Math.max(cellSize ?? autoSize, width / MAX_CELLS_PER_SIDE, height / MAX_CELLS_PER_SIDE, 1);
  const cols = Math.floor(width / size) + 1;
  const rows = Math.floor(height / size) + 1;

  // Counting sort into one flat array: cellStart[c]..cellStart[c+1] are the items of cell c.
  const cellOf = new Int32Array(points.length);
  const cellStart = new Int32Array(cols * rows + 1);
  points.forEach((p, i) => {
    const c = Math.floor((p.y - minY) / size) * cols + Math.floor((p.x - minX) / size);
    cellOf[i] = c;
    cellStart[c + 1]! += 1;
  });
  for (let c = 0; c < cols * rows; c++) cellStart[c + 1]! += cellStart[c]!;
  const fill = cellStart.slice(0, cols * rows);
  const items = new Int32Array(points.length);
  for (let i = 0; i < points.length; i++) items[fill[cellOf[i]!]!++] = i;

  const visitCell = (cx: number, cy: number, visit: (item: number) => void): void => {
    if (cx < 0 || cy < 0 || cx >= cols || cy >= rows) return;
    const c = cy * cols + cx;
    for (let k = cellStart[c]!; k < cellStart[c + 1]!; k++) visit(items[k]!);
  };

  const scan: SpatialIndex['scan'] = (at, visit, stop) => {
    const qx = Math.floor((at.x - minX) / size);
    const qy = Math.floor((at.y - minY) / size);
    // Distance from the query to the grid's box: rings closer than this hold no cells.
    const outside = Math.hypot(
      Math.max(minX - at.x, 0, at.x - (minX + cols * size)),
      Math.max(minY - at.y, 0, at.y - (minY + rows * size)),
    );
    const lastRing = Math.max(Math.abs(qx), Math.abs(qx - cols + 1), Math.abs(qy), Math.abs(qy - rows + 1));
    // Rings that miss the grid entirely are skipped; the rest are clipped to it.
    const firstRing = Math.max(0, -qx, qx - cols + 1, -qy, qy - rows + 1);
    for (let r = firstRing; r <= lastRing; r++) {
      if (r > 0 && stop(Math.max((r - 1) * size, outside))) return;
      if (r === 0) {
        visitCell(qx, qy, visit);
        continue;
      }
      const x0 = Math.max(qx - r, 0);
      const x1 = Math.min(qx + r, cols - 1);
      for (let cx = x0; cx <= x1; cx++) {
        visitCell(cx, qy - r, visit);
        visitCell(cx, qy + r, visit);
      }
      const y0 = Math.max(qy - r + 1, 0);
      const y1 = Math.min(qy + r - 1, rows - 1);
      for (let cy = y0; cy <= y1; cy++) {
        visitCell(qx - r, cy, visit);
        visitCell(qx + r, cy, visit);
      }
    }
  };

  return { size: points.length, scan };
}
