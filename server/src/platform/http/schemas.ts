import { Type, type TSchema } from '@sinclair/typebox';
import { ERROR_CODES } from '../error-codes.ts';

// Shapes shared by every module's routes.
export const Problem = Type.Object(
  {
    type: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'Stable, snake_case: program against this (the table is in the API description).', enum: Object.keys(ERROR_CODES) }),
    title: Type.String(),
    detail: Type.String(),
    request_id: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { additionalProperties: true, $id: 'Problem' },
);

export const ListQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 100 })),
};

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), next_cursor: Type.Union([Type.String(), Type.Null()]) });

export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

/** Problem responses for the OpenAPI document (the error handler shapes them). */
export const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref(Problem)]));
