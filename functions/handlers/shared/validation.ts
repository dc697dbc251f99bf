/** zod at the edge: schema violations become `ValidationError`s naming the JSON path. */
import type { z } from 'zod';
import { ValidationError } from '../../domain/errors';

/** `['lines', 0, 'quantity']` → `lines[0].quantity`; the empty path is `$`. */
export const jsonPath = (path: readonly PropertyKey[]): string => {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '$' : out;
};

/**
 * Parse `value` with `schema` or throw a `ValidationError` whose location is the first issue's
 * path. The message is the issue's own (zod messages describe the rule, never echo the value).
 */
export const parseOrThrow = <S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const location = jsonPath(issue?.path ?? []);
  throw new ValidationError(`${what}: ${location} ${issue?.message ?? 'is invalid'}`, {
    location,
    details: { issues: result.error.issues.slice(0, 10).map((i) => ({ path: jsonPath(i.path), message: i.message })) },
  });
};
