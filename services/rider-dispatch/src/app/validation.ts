import { err, ok, type CodedError, type FieldError, type Result } from '@mealpeak/core';
import { DispatchErrors } from '../domain/errors.ts';

/** Every named value must be a non-empty string (ids arrive as '' when a client leaves them out). */
export function requireIds(values: Record<string, string>): Result<void, CodedError> {
  const fields: FieldError[] = Object.entries(values)
    .filter(([, v]) => v.trim().length === 0)
    .map(([field]) => ({ field, message: 'is required' }));
  return fields.length > 0 ? err(DispatchErrors.invalid(fields)) : ok(undefined);
}
