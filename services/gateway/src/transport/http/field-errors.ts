import type { FieldError } from '@mealpeak/core';

/** The parts of an Ajv-style error we read (TypeBox's compiler reports the same shape). */
export interface SchemaError {
  readonly instancePath?: string;
  readonly keyword: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly message?: string;
}

export const UNKNOWN_FIELD_MESSAGE = 'is not a known field';
/** A schema `pattern` for text that must not be blank (spaces only), with its own message. */
export const NOT_BLANK = '\\S';
/** Most field errors in one answer, the gateway's own and those a service names (problems.ts). */
export const MAX_FIELDS = 20;

/** Longest name echoed back; unknown fields and parameters are named by the client, at any length. */
const MAX_NAME_LENGTH = 64;
const shortened = (name: string) =>
  name.length > MAX_NAME_LENGTH ? `${name.slice(0, MAX_NAME_LENGTH)}…` : name;

/**
 * JSON pointer -> the path a client developer reads: `/lines/0/quantity` -> `lines[0].quantity`.
 * Each name is cut to 64 characters: a 9 KB parameter name is not sent back in full.
 */
export function fieldPath(pointer: string, ...more: string[]): string {
  const parts = [...pointer.split('/').slice(1), ...more].map((p) =>
    shortened(p.replaceAll('~1', '/').replaceAll('~0', '~')),
  );
  let path = '';
  for (const part of parts) {
    if (/^\d+$/.test(part)) path += `[${part}]`;
    else path += path === '' ? part : `.${part}`;
  }
  return path;
}

const names = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];

function toFieldErrors(error: SchemaError, root: string): FieldError[] {
  const at = error.instancePath ?? '';
  switch (error.keyword) {
    case 'required':
      return names(error.params?.['requiredProperties'] ?? error.params?.['missingProperty']).map((p) => ({
        field: fieldPath(at, p),
        message: 'is required',
      }));
    case 'additionalProperties':
      return names(error.params?.['additionalProperties']).map((p) => ({
        field: fieldPath(at, p),
        message: UNKNOWN_FIELD_MESSAGE,
      }));
    case 'boolean':
      // `additionalProperties: false` seen from the extra property's side.
      return [{ field: fieldPath(at) || root, message: UNKNOWN_FIELD_MESSAGE }];
    case 'pattern':
      if (error.params?.['pattern'] === NOT_BLANK)
        return [{ field: fieldPath(at) || root, message: 'must not be blank' }];
      return [{ field: fieldPath(at) || root, message: error.message ?? 'fails pattern' }];
    case 'enum': {
      const allowed = names(error.params?.['allowedValues']);
      return [{ field: fieldPath(at) || root, message: `must be one of ${allowed.join(', ')}` }];
    }
    default:
      return [{ field: fieldPath(at) || root, message: error.message ?? `fails ${error.keyword}` }];
  }
}

/**
 * Validation errors -> field errors, one per field and message, at most 20. `root` names the part
 * when an error is about the whole of it (`body must be object`).
 */
export function fieldErrorsOf(errors: readonly SchemaError[], root: string): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const error of errors) {
    for (const fe of toFieldErrors(error, root)) {
      const key = `${fe.field}\u0000${fe.message}`;
      if (seen.has(key) || out.length >= MAX_FIELDS) continue;
      seen.add(key);
      out.push(fe);
    }
  }
  return out;
}
