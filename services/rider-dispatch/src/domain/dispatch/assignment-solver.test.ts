import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveAssignment, type AssignmentProblem } from './assignment-solver.ts';

interface Edge {
  row: number;
  column: number;
  cost: number;
}

function problemOf(
  rows: number,
  columns: number,
  edges: readonly Edge[],
  skip: readonly number[],
): AssignmentProblem {
  return {
    rows,
    columns,
    edgeRow: edges.map((e) => e.row),
    edgeColumn: edges.map((e) => e.column),
    edgeCost: edges.map((e) => e.cost),
    skipCost: skip,
  };
}

/** Exhaustive optimum: every row either skips or takes one of its edges to an unused column. */
function bruteForce(rows: number, edges: readonly Edge[], skip: readonly number[]): number {
  const byRow = Array.from({ length: rows }, (_, r) => edges.filter((e) => e.row === r));
  const used = new Set<number>();
  const go = (r: number): number => {
    if (r === rows) return 0;
    let best = skip[r]! + go(r + 1);
    for (const e of byRow[r]!) {
      if (used.has(e.column)) continue;
      used.add(e.column);
      best = Math.min(best, e.cost + go(r + 1));
      used.delete(e.column);
    }
    return best;
  };
  return go(0);
}

function checkSolution(problem: AssignmentProblem, edges: readonly Edge[], skip: readonly number[]): number {
  const { columnOfRow, totalCost } = solveAssignment(problem);
  const seen = new Set<number>();
  let cost = 0;
  columnOfRow.forEach((c, r) => {
    if (c < 0) {
      cost += skip[r]!;
      return;
    }
    expect(seen.has(c)).toBe(false);
    seen.add(c);
    const options = edges.filter((e) => e.row === r && e.column === c).map((e) => e.cost);
    expect(options.length).toBeGreaterThan(0);
    cost += Math.min(...options);
  });
  expect(cost).toBe(totalCost);
  return totalCost;
}

describe('solveAssignment', () => {
  it('prefers the global optimum over row-by-row greedy choices', () => {
    // Greedy would give row 0 its cheapest column 0 (cost 1), forcing row 1 onto column 1 (cost 100).
    const edges = [
      { row: 0, column: 0, cost: 1 },
      { row: 0, column: 1, cost: 2 },
      { row: 1, column: 0, cost: 3 },
      { row: 1, column: 1, cost: 100 },
    ];
    const skip = [1000, 1000];
    const { columnOfRow, totalCost } = solveAssignment(problemOf(2, 2, edges, skip));
    expect([...columnOfRow]).toEqual([1, 0]);
    expect(totalCost).toBe(5);
  });

  it('skips a row when that is cheaper than any edge', () => {
    const edges = [{ row: 0, column: 0, cost: 50 }];
    const { columnOfRow, totalCost } = solveAssignment(problemOf(1, 1, edges, [10]));
    expect([...columnOfRow]).toEqual([-1]);
    expect(totalCost).toBe(10);
  });

  it('skips the row whose skip is cheapest when rows outnumber columns', () => {
    const edges = [
      { row: 0, column: 0, cost: 5 },
      { row: 1, column: 0, cost: 5 },
      { row: 2, column: 0, cost: 5 },
    ];
    const { columnOfRow } = solveAssignment(problemOf(3, 1, edges, [30, 10, 20]));
    expect([...columnOfRow]).toEqual([0, -1, -1]);
  });

  it('handles rows without edges and negative costs', () => {
    const edges = [
      { row: 1, column: 0, cost: -7 },
      { row: 2, column: 0, cost: -3 },
      { row: 2, column: 1, cost: 4 },
    ];
    checkSolution(problemOf(3, 2, edges, [0, 0, 0]), edges, [0, 0, 0]);
    expect(solveAssignment(problemOf(3, 2, edges, [0, 0, 0])).totalCost).toBe(-7);
  });

  it('matches an exhaustive search on random sparse problems', () => {
    const edgeArb = (rows: number, columns: number) =>
      fc.record({
        row: fc.integer({ min: 0, max: rows - 1 }),
        column: fc.integer({ min: 0, max: columns - 1 }),
        cost: fc.integer({ min: -20, max: 60 }),
      });
    const problemArb = fc
      .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }))
      .chain(([rows, columns]) =>
        fc.record({
          rows: fc.constant(rows),
          columns: fc.constant(columns),
          edges: fc.array(edgeArb(rows, columns), { maxLength: 24 }),
          skip: fc.array(fc.integer({ min: 0, max: 80 }), { minLength: rows, maxLength: rows }),
        }),
      );
    fc.assert(
      fc.property(problemArb, ({ rows, columns, edges, skip }) => {
        const total = checkSolution(problemOf(rows, columns, edges, skip), edges, skip);
        expect(total).toBe(bruteForce(rows, edges, skip));
      }),
      { numRuns: 400 },
    );
  });
});
