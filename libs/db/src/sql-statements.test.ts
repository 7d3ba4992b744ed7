import { describe, expect, it } from 'vitest';
import { splitStatements } from './sql-statements.ts';

describe('splitting a migration into statements', () => {
  it('splits at top-level semicolons and drops what is only comments', () => {
    const sql = `-- migrate: no-transaction
-- Why these indexes exist.
DROP INDEX CONCURRENTLY IF EXISTS a;
CREATE INDEX CONCURRENTLY a ON t (x DESC, id DESC);

/* trailing note; nothing to run */
`;
    expect(splitStatements(sql)).toEqual([
      '-- migrate: no-transaction\n-- Why these indexes exist.\nDROP INDEX CONCURRENTLY IF EXISTS a',
      'CREATE INDEX CONCURRENTLY a ON t (x DESC, id DESC)',
    ]);
  });

  it('keeps a last statement that has no semicolon', () => {
    expect(splitStatements('SELECT 1; SELECT 2')).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('ignores semicolons inside strings, identifiers, comments and dollar quotes', () => {
    const statements = [
      `CREATE INDEX CONCURRENTLY b ON t (x) WHERE state IN ('A;B', 'it''s;')`,
      `COMMENT ON TABLE t IS E'back\\'slash; still inside'`,
      `CREATE INDEX CONCURRENTLY "odd;name" ON t (y)`,
      `DO $body$ BEGIN PERFORM 1; END $body$`,
      `DO $$ BEGIN PERFORM 2; END $$`,
      `SELECT 1 /* a; /* nested; */ still comment; */ + 1`,
      `SELECT 3 -- a comment; with a semicolon\n  + 4`,
    ];
    expect(splitStatements(statements.join(';\n') + ';')).toEqual(statements);
  });

  it('does not take a positional parameter or an identifier with $ for a dollar quote', () => {
    expect(splitStatements('SELECT $1::int; SELECT a$b$ FROM t; SELECT 2')).toEqual([
      'SELECT $1::int',
      'SELECT a$b$ FROM t',
      'SELECT 2',
    ]);
  });

  it('refuses an unterminated string or comment instead of guessing', () => {
    expect(() => splitStatements(`SELECT 'open; SELECT 2`)).toThrow(/unterminated ' quote/);
    expect(() => splitStatements(`SELECT 1 /* open; SELECT 2`)).toThrow(/unterminated \/\*/);
    expect(() => splitStatements(`DO $x$ BEGIN; END`)).toThrow(/unterminated \$x\$/);
  });
});
