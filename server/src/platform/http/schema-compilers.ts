import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

// Fastify's own compilers (the same packages and options it uses by default), kept for the life of the
// process instead of per app instance. A server builds one app and gains nothing; the test suite builds one
// app per test file in a long-lived worker, and compiling every route's validators and response serializers
// anew was about 0.6 s of each file's ~1.1 s set-up. Compiled functions depend only on the schema object, the
// shared schemas and the options, so they are cached by those:
// - validators: AjvCompiler pools one Ajv per (shared schemas, options), and Ajv caches compiled schemas by
//   object identity;
// - serializers: fast-json-stringify has no cache, so one is kept here, per (shared schemas, options), keyed by
//   the response schema object (a WeakMap: a schema nobody holds any more is not kept alive by it).
type SerializerRoute = { schema: object; method: string; url: string; httpStatus: string };
type SerializerFactory = (externalSchemas: unknown, options: unknown) => (route: SerializerRoute) => (data: unknown) => string;

const buildSerializerUncached = SerializerSelector() as unknown as SerializerFactory;
const serializers = new Map<string, WeakMap<object, (data: unknown) => string>>();

const buildSerializer: SerializerFactory = (externalSchemas, options) => {
  const build = buildSerializerUncached(externalSchemas, options);
  const key = JSON.stringify(externalSchemas) + JSON.stringify(options ?? null);
  let cache = serializers.get(key);
  if (!cache) serializers.set(key, (cache = new WeakMap()));
  const compiled = cache;
  return (route) => {
    let fn = compiled.get(route.schema);
    if (!fn) {
      fn = build(route);
      compiled.set(route.schema, fn);
    }
    return fn;
  };
};

/** Fastify's `schemaController.compilersFactory`. */
export const sharedCompilers = { buildValidator: AjvCompiler(), buildSerializer };
