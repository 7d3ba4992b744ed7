import { MinHeap } from './min-heap.ts';

/**
 * Sparse min-cost assignment with optional rows: every row is matched to at most one column (and every
 * column to at most one row) through the given edges, or left unmatched at its own `skipCost`; the total
 * cost is minimal. Why we wrote it instead of using a package: docs/adr/0005-dispatch-solver.md.
 *
 * Method: successive shortest augmenting paths (Jonker-Volgenant style column potentials) with a binary
 * heap Dijkstra that stops at the first free column. Each row's "skip" is a private column reachable
 * only from that row, so "leave it unassigned" competes in the same shortest-path search. Runs in
 * O(rows * E log E) in the worst case, and close to O(E log E) when most rows find a free column near
 * the top of their list, which is the common case for dispatch (riders outnumber nearby orders).
 *
 * Costs must be finite; integer costs keep the potentials exact (the engine rounds to whole units).
 */
export interface AssignmentProblem {
  readonly rows: number;
  readonly columns: number;
  /** Edges as parallel arrays: row, column, cost. */
  readonly edgeRow: ArrayLike<number>;
  readonly edgeColumn: ArrayLike<number>;
  readonly edgeCost: ArrayLike<number>;
  /** Cost of leaving each row unmatched. */
  readonly skipCost: ArrayLike<number>;
}

export interface AssignmentSolution {
  /** Column matched to each row, or -1 when the row is skipped. */
  readonly columnOfRow: Int32Array;
  readonly totalCost: number;
}

export function solveAssignment(problem: AssignmentProblem): AssignmentSolution {
  const { rows, columns } = problem;
  const edgeCount = problem.edgeRow.length;
  // CSR adjacency per row; the skip column of row r is columns + r, appended as the row's last edge.
  const start = new Int32Array(rows + 1);
  for (let e = 0; e < edgeCount; e++) start[problem.edgeRow[e]! + 1]! += 1;
  for (let r = 0; r < rows; r++) start[r + 1]! += start[r]! + 1;
  const adjColumn = new Int32Array(edgeCount + rows);
  const adjCost = new Float64Array(edgeCount + rows);
  const fill = start.slice(0, rows);
  for (let e = 0; e < edgeCount; e++) {
    const r = problem.edgeRow[e]!;
    const k = fill[r]!++;
    adjColumn[k] = problem.edgeColumn[e]!;
    adjCost[k] = problem.edgeCost[e]!;
  }
  for (let r = 0; r < rows; r++) {
    const k = fill[r]!++;
    adjColumn[k] = columns + r;
    adjCost[k] = problem.skipCost[r]!;
  }

  const totalColumns = columns + rows;
  const potential = new Float64Array(totalColumns);
  const rowOfColumn = new Int32Array(totalColumns).fill(-1);
  const columnOfRow = new Int32Array(rows).fill(-1);
  const matchedCost = new Float64Array(rows);
  const dist = new Float64Array(totalColumns).fill(Infinity);
  const predRow = new Int32Array(totalColumns);
  const done = new Uint8Array(totalColumns);
  const touched: number[] = [];
  const finalized: number[] = [];
  const heap = new MinHeap();

  let freeBest = -1;
  const relax = (row: number, base: number): void => {
    for (let k = start[row]!; k < start[row + 1]!; k++) {
      const c = adjColumn[k]!;
      if (done[c]) continue;
      const d = base + adjCost[k]! - potential[c]!;
      if (d < dist[c]!) {
        if (dist[c] === Infinity) touched.push(c);
        dist[c] = d;
        predRow[c] = row;
        heap.push(d, c);
        if (
          rowOfColumn[c]! < 0 &&
          (freeBest < 0 || d < dist[freeBest]! || (d === dist[freeBest] && c < freeBest))
        ) {
          freeBest = c;
        }
      }
    }
  };

  for (let source = 0; source < rows; source++) {
    heap.clear();
    freeBest = -1;
    relax(source, 0);
    let sink = -1;
    while (heap.size > 0) {
      // A free column at the minimum distance ends the search at once: with many equal costs (riders
      // who all make it on time) this avoids wandering through every tied alternating path first.
      if (freeBest >= 0 && dist[freeBest]! <= heap.peekKey()) {
        sink = freeBest;
        break;
      }
      const c = heap.popItem();
      if (done[c]) continue;
      done[c] = 1;
      finalized.push(c);
      // Reduced cost of the matched edge is zero, so continuing through its row starts at dist[c].
      const owner = rowOfColumn[c]!;
      if (owner < 0) {
        sink = c;
        break;
      }
      relax(owner, dist[c]! - (matchedCost[owner]! - potential[c]!));
    }
    if (sink < 0 && freeBest >= 0) sink = freeBest;
    if (sink < 0) throw new Error('assignment solver: no augmenting path (skip column missing?)');
    const reach = dist[sink]!;
    for (const c of finalized) if (dist[c]! < reach) potential[c]! += dist[c]! - reach;
    // Augment along the predecessor chain.
    let c = sink;
    for (;;) {
      const row = predRow[c]!;
      const previous = columnOfRow[row]!;
      rowOfColumn[c] = row;
      columnOfRow[row] = c;
      matchedCost[row] = edgeCostOf(row, c);
      if (row === source) break;
      c = previous;
    }
    for (const t of touched) {
      dist[t] = Infinity;
      done[t] = 0;
    }
    touched.length = 0;
    finalized.length = 0;
  }

  function edgeCostOf(row: number, column: number): number {
    let best = Infinity;
    for (let k = start[row]!; k < start[row + 1]!; k++) {
      if (adjColumn[k] === column && adjCost[k]! < best) best = adjCost[k]!;
    }
    return best;
  }

  let totalCost = 0;
  const result = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const c = columnOfRow[r]!;
    totalCost += matchedCost[r]!;
    result[r] = c >= columns ? -1 : c;
  }
  return { columnOfRow: result, totalCost };
}
