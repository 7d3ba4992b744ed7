const DOLLAR_TAG = /\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/y;

/** The `$tag$` opening a dollar-quoted string at `at`, if one does. */
function dollarTag(sql: string, at: number): string | undefined {
  DOLLAR_TAG.lastIndex = at;
  return DOLLAR_TAG.exec(sql)?.[0];
}

/**
 * Splits a SQL script into its statements at the top-level semicolons, for the migrations that
 * must send one statement per query (`-- migrate: no-transaction`, migrate.ts): PostgreSQL runs a
 * multi-statement simple query as one implicit transaction, where CREATE INDEX CONCURRENTLY fails.
 *
 * A lexer, not a parser: it knows what may hide a semicolon (comments, nested block comments,
 * '' and E'' strings, "" identifiers, dollar quotes) and nothing else. Written here because the
 * only full PostgreSQL parser for Node (libpg-query) is a WebAssembly build of the server's parser,
 * far more than this needs. Statements that are only comments are dropped.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let hasCode = false;
  let i = 0;
  const isIdent = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_$]/.test(c);
  const endOf = (quote: string, from: number, backslashEscapes: boolean): number => {
    for (let j = from; j < sql.length; j++) {
      if (backslashEscapes && sql[j] === '\\') j++;
      else if (sql[j] === quote) {
        if (sql[j + 1] !== quote) return j + 1;
        j++; // a doubled quote stands for itself
      }
    }
    throw new Error(`unterminated ${quote} quote in SQL starting at offset ${from - 1}`);
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? sql.length : eol + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (depth > 0) {
        if (i >= sql.length) throw new Error('unterminated /* comment in SQL');
        const pair = sql.slice(i, i + 2);
        depth += pair === '/*' ? 1 : pair === '*/' ? -1 : 0;
        i += pair === '/*' || pair === '*/' ? 2 : 1;
      }
    } else if (c === "'") {
      const escaped = (sql[i - 1] === 'E' || sql[i - 1] === 'e') && !isIdent(sql[i - 2]);
      i = endOf("'", i + 1, escaped);
      hasCode = true;
    } else if (c === '"') {
      i = endOf('"', i + 1, false);
      hasCode = true;
    } else if (c === '$' && !isIdent(sql[i - 1]) && dollarTag(sql, i)) {
      const tag = dollarTag(sql, i)!;
      const close = sql.indexOf(tag, i + tag.length);
      if (close < 0) throw new Error(`unterminated ${tag} quote in SQL starting at offset ${i}`);
      i = close + tag.length;
      hasCode = true;
    } else if (c === ';') {
      if (hasCode) statements.push(sql.slice(start, i).trim());
      start = ++i;
      hasCode = false;
    } else {
      if (!/\s/.test(c)) hasCode = true;
      i++;
    }
  }
  if (hasCode) statements.push(sql.slice(start).trim());
  return statements;
}
