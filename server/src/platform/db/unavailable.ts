// Which errors mean "the database cannot be reached or gave up on us" (a 503 with Retry-After, DESIGN §3.7)
// rather than a fault in our code (a 500). PostgreSQL SQLSTATE classes and the errors of node-postgres and
// its pool when a connection is refused, reset, times out or was terminated by the server.
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, or the server is shutting down
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, in recovery
  '57014', // query_canceled: statement_timeout (the database is too slow to answer now)
  '53300', // too_many_connections
  '53000', // insufficient_resources
  '58000', // system_error
  '58030', // io_error
]);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i, // unexpectedly, or due to connection timeout
  /timeout exceeded when trying to connect/i, // pg-pool: no connection within connectionTimeoutMillis
  /Query read timeout/i, // node-postgres query_timeout: nothing came back on an open connection
  /not queryable/i, // a client whose connection already failed
  /Client was closed and is not queryable/i,
  /Connection ended/i,
];

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') {
    if (UNAVAILABLE_SQLSTATES.has(e.code) || UNAVAILABLE_NODE_CODES.has(e.code) || e.code.startsWith('08')) return true;
  }
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(e.message as string))) return true;
  // AggregateError (connect tried several addresses) and wrapped causes
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x, depth + 1))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}
