import type { paths } from './schema';

// Shorthands for the generated types: the JSON body a route answers, and its query parameters.
type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;
export type ResponseOf<P extends keyof paths, M extends keyof paths[P], S extends number = 200> = paths[P][M] extends {
  responses: infer Rs;
}
  ? S extends keyof Rs
    ? Json<Rs[S]>
    : never
  : never;
export type QueryOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
