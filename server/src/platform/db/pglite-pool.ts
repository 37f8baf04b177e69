import type { PGlite } from '@electric-sql/pglite';

// PGlite is one connection in this process. Kysely's PostgresDialect asks a pool for connections; this
// pool hands out that single connection to one borrower at a time, so a transaction holds it exclusively
// and other queries queue behind it. (Written here because the published PGlite dialects pin older
// PGlite versions; the interface Kysely needs is three methods.)
export class PGlitePool {
  private queue: Array<() => void> = [];
  private busy = false;

  constructor(readonly pglite: PGlite) {}

  async connect() {
    if (this.busy) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.busy = true;
    let released = false;
    return {
      query: async (sqlText: string, params: readonly unknown[] = []) => {
        // Without parameters use the simple protocol, which also runs multi-statement scripts (migrations).
        const r = params.length
          ? await this.pglite.query(sqlText, params as unknown[])
          : ((await this.pglite.exec(sqlText)).at(-1) ?? { rows: [], affectedRows: 0 });
        return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length, command: commandOf(sqlText) };
      },
      release: () => {
        if (released) return;
        released = true;
        const next = this.queue.shift();
        if (next) next();
        else this.busy = false;
      },
    };
  }

  async end() {
    await this.pglite.close();
  }
}

function commandOf(sqlText: string): string {
  const m = /^\s*(?:with\b[\s\S]*?\)\s*)?(insert|update|delete|merge|select)\b/i.exec(sqlText);
  return m ? m[1].toUpperCase() : 'SELECT';
}
