import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { validationFailed } from '../errors.ts';

/** Validates CLI input against the same TypeBox schema the HTTP API uses; undefined fields are dropped. */
export function validateInput<T extends TSchema>(schema: T, input: Record<string, unknown>): Static<T> {
  const clean = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const errors = [...Value.Errors(schema, clean)];
  if (errors.length) {
    const seen = new Set<string>();
    throw validationFailed(
      errors
        .map((e) => ({ field: e.path.replace(/^\//, '').replace(/\//g, '.') || 'input', message: e.message }))
        .filter((e) => !seen.has(e.field) && seen.add(e.field)),
    );
  }
  return clean as Static<T>;
}
