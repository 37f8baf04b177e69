import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

// Fastify's own compilers (the same packages and options it uses by default), kept for the life of the
// process instead of per app instance. A server builds one app and gains nothing; the test suite builds one
// app per test file in a long-lived worker, and compiling every route's validators and response serializers
// anew was most of a file's set-up.
//
// Both caches are keyed by the schema's content, not its identity: routes build their error responses and
// many bodies with helpers that return a new object per route and per app (669 of an app's ~720 response
// schemas were new objects on every build, so a cache by identity missed almost every time). A compiled
// function depends only on the schema's JSON, the shared schemas and the options (TypeBox's symbol-keyed
// markers, which JSON leaves out, are read by neither Ajv nor fast-json-stringify). A content key also keeps
// Ajv's own cache, which holds every schema object it compiled, from growing by a copy per app.
type SchemaRoute = { schema: object; method: string; url: string };
type Compiled = (data: unknown) => unknown;
type CompilerFactory = (externalSchemas: unknown, options: unknown) => (route: SchemaRoute) => Compiled;

const LIMIT = 20_000; // distinct schemas per (shared schemas, options): the app has ~1,000; a bound, not a tuning

function cachedByContent(uncached: CompilerFactory, optionsKey: (options: unknown) => unknown): CompilerFactory {
  const pools = new Map<string, Map<string, Compiled>>();
  return (externalSchemas, options) => {
    const build = uncached(externalSchemas, options);
    const poolKey = JSON.stringify(externalSchemas) + JSON.stringify(optionsKey(options) ?? null);
    let pool = pools.get(poolKey);
    if (!pool) pools.set(poolKey, (pool = new Map()));
    const compiled = pool;
    return (route) => {
      const key = JSON.stringify(route.schema);
      let fn = compiled.get(key);
      if (!fn) {
        fn = build(route);
        if (compiled.size >= LIMIT) compiled.clear();
        compiled.set(key, fn);
      }
      return fn;
    };
  };
}

const buildSerializer = cachedByContent(SerializerSelector() as unknown as CompilerFactory, (o) => o);
// AjvCompiler pools one Ajv per (shared schemas, customOptions), as Fastify does; the rest of its options are
// plugins and hooks fixed for the process
const buildValidator = cachedByContent(AjvCompiler() as unknown as CompilerFactory, (o) => (o as { customOptions?: unknown } | undefined)?.customOptions);

/** Fastify's `schemaController.compilersFactory`. */
export const sharedCompilers = { buildValidator, buildSerializer };
