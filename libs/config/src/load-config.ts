import type { z } from 'zod';
import { crossProblems } from './fragments.ts';

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value as DeepReadonly<T>;
}

/** Names of variables whose values are secrets: never echoed in an error (it ends up in logs). */
const SECRET_NAME = /SECRET|PASSWORD|TOKEN|_KEY$|CREDENTIALS/i;

/** A bad value as the error shows it: secrets hidden, and the password of a URL. */
export function shown(name: string, value: string): string {
  if (SECRET_NAME.test(name)) return `<hidden, ${value.length} characters>`;
  return JSON.stringify(value.replace(/(\/\/[^/@:\s]*:)[^/@\s]*@/g, '$1***@'));
}

/**
 * Validates the environment once, at start-up, against a schema keyed by variable name. Every bad
 * variable is reported in one error (never the first only), and the result is deeply frozen so no
 * code can change configuration behind the rest's back. main.ts is the only caller.
 */
export function loadConfig<S extends z.ZodType<object>>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): DeepReadonly<z.output<S>> {
  // Empty strings mean "not set", so `FOO= pnpm start` falls back to the default like an unset FOO.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.length > 0 ? issue.path.map(String).join('.') : '(environment)';
      const got = issue.path.length === 1 ? cleaned[String(issue.path[0])] : undefined;
      return `${name}: ${issue.message}${got === undefined ? '' : ` (got ${shown(name, got)})`}`;
    });
    throw new ConfigError(problems);
  }
  const cross = crossProblems(parsed.data as Record<string, unknown>, (name) => cleaned[name] !== undefined);
  if (cross.length > 0) throw new ConfigError(cross);
  return deepFreeze(parsed.data);
}
