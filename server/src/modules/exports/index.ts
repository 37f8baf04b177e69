import { periodicWorker, type ModuleDefinition } from '../../platform/module.ts';
import { EXPORT_JOB, EXPORT_JOB_POLICY, runExportJob } from './exports.job.ts';
import { pruneExports } from './exports.repo.ts';
import { exportRoutes } from './exports.routes.ts';
import { registerExports } from './exports.cli.ts';

// The exports module's front door (issue 6): CSV and XLSX files of grants, recharge orders and audit events,
// written by a job into the database (export_chunks) so any server process serves the download; audited.
// Its own module rather than part of grants: it exports three modules' data and owns its own tables, job,
// permissions and retention. It reads the rows only through those modules' front doors.
export { EXPORT_JOB, buildExport } from './exports.job.ts';
export { EXPORT_RETENTION_DAYS } from './exports.routes.ts';
// the writer, for files generated on download rather than stored (links)
export { writeRows, csvCell, type Sink } from './exports.writer.ts';

/** Deletes expired exports (and their chunks), hourly, in bounded batches. */
const exportPruner = periodicWorker('export-pruner', 3_600_000, async (ctx) => {
  while ((await pruneExports(ctx.db, 100)) === 100);
});

export const exportsModule: ModuleDefinition = {
  name: 'exports',
  routes: exportRoutes,
  jobs: { [EXPORT_JOB]: { handler: runExportJob, policy: EXPORT_JOB_POLICY } },
  permissions: {
    // finance and auditors export what they read; support may read grants but not take them away in bulk
    'exports:read': ['admin', 'operator', 'finance', 'auditor'],
    'exports:grants': ['admin', 'operator', 'finance', 'auditor'],
    'exports:recharges': ['admin', 'operator', 'finance', 'auditor'],
    'exports:audit': ['admin', 'auditor'],
  },
  cli: registerExports,
  workers: [exportPruner],
};
