/**
 * Free text from clients (names, addresses, reasons), checked the same way in every service and
 * as the gateway's JSON Schema counts it.
 */

/** Length in characters as JSON Schema's maxLength counts them: Unicode code points, not UTF-16 units. */
export function charLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

// C0 controls and DEL, except tab, line feed and carriage return. PostgreSQL refuses NUL in text
// outright (a database error, not a field error), and the others have no business in a name.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/**
 * What is wrong with `value` as free text of at most `maxChars` characters, as a field error
 * message; undefined when nothing is.
 */
export function textProblem(value: string, maxChars: number): string | undefined {
  if (CONTROL.test(value)) return 'must not contain control characters';
  if (charLength(value) > maxChars) return `at most ${maxChars} characters`;
  return undefined;
}
