import fs from 'node:fs';
import path from 'node:path';

// One process at a time may open an embedded data directory: PGlite has no locking of its own and two
// writers corrupt it. The lock file records who holds it so the second process can say so. A lock whose
// process is gone is stale and taken over. (Hand-written: lock libraries do not record the holder.)
export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string, readonly holder: LockInfo) {
    super(
      `The data directory ${dataDir} is in use by process ${holder.pid} (${holder.command}, since ${holder.started_at}). ` +
        `Stop that process, or point this one at a PostgreSQL server with DATABASE_URL.`,
    );
    this.name = 'DataDirLockedError';
  }
}

interface LockInfo {
  pid: number;
  command: string;
  started_at: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireDataDirLock(dataDir: string, command: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'quanyi.lock');
  const info: LockInfo = { pid: process.pid, command, started_at: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(info), { flag: 'wx', mode: 0o600 });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        try {
          const held = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
          if (held.pid === process.pid) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.on('exit', release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder: LockInfo | undefined;
      try {
        holder = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
      } catch {
        holder = undefined; // half-written or unreadable: treat as stale
      }
      if (holder && holder.pid !== process.pid && alive(holder.pid)) throw new DataDirLockedError(dataDir, holder);
      if (holder && holder.pid === process.pid) throw new DataDirLockedError(dataDir, holder);
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}
