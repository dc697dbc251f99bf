/**
 * JSON paths for error locations (`lines[0].quantity`, `Procedure.usedCode[1]`), shared by the FHIR
 * and canonical JSON adapters. zod issue messages describe the rule, never the input value, so
 * they are safe to pass on; values themselves are never quoted.
 */
import type { z } from 'zod';
import { ValidationError } from '../../domain/errors';

/** `['lines', 0, 'quantity']` → `lines[0].quantity`, appended to `prefix` when given. */
export const jsonPath = (path: readonly PropertyKey[], prefix = ''): string => {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '$' : out;
};

/**
 * A ValidationError for a failed zod parse: the message names the first issues' paths and rules,
 * `location` is the first issue's path.
 */
export const zodValidationError = (error: z.ZodError, prefix = ''): ValidationError => {
  const issues = error.issues.slice(0, 5).map((issue) => ({ path: jsonPath(issue.path, prefix), message: issue.message }));
  const location = issues[0]?.path ?? (prefix || '$');
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return new ValidationError(summary === '' ? `${location}: invalid` : summary, { location, details: { issues } });
};
