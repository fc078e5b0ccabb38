import { InputError } from '@backstage/errors';
import { z } from 'zod';

/** Parses untrusted input; an InputError names where and which field. */
export function parseInput<S extends z.ZodTypeAny>(
  schema: S,
  value: unknown,
  where: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.length ? ` '${issue.path.join('.')}'` : '';
    throw new InputError(`Invalid ${where}${field}: ${issue.message}`);
  }
  return result.data;
}
