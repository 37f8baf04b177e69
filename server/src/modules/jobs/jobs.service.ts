import type { Executor } from '../../platform/db/db.ts';
import type { JobStatus } from '../../platform/db/schema.ts';
import { conflict, notFound } from '../../platform/errors.ts';
import { requeueJob } from '../../platform/jobs/job-store.ts';
import { toJobView, type JobView } from '../../platform/jobs/jobs.ts';
import { appendAudit } from '../audit/index.ts';

// The operator's view of background work: list jobs (dead ones above all) and put a dead job back in the queue.
export interface JobListQuery {
  status?: JobStatus;
  kind?: string;
  limit?: number;
  cursor?: string;
}

export async function listJobs(db: Executor, q: JobListQuery): Promise<{ data: JobView[]; next_cursor: string | null }> {
  const limit = q.limit ?? 50;
  let query = db.selectFrom('jobs').selectAll().orderBy('id', 'desc').limit(limit + 1);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.kind) query = query.where('kind', '=', q.kind);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  const rows = await query.execute();
  const data = rows.slice(0, limit).map(toJobView);
  return { data, next_cursor: rows.length > limit ? data[data.length - 1].id : null };
}

/** Re-queues a dead (or failed) job with fresh attempts. Audited. */
export async function requeue(db: Executor, id: string, actor: string): Promise<JobView> {
  return db.transaction().execute(async (tx) => {
    const row = await requeueJob(tx, id);
    if (!row) {
      const current = await tx.selectFrom('jobs').select('status').where('id', '=', id).executeTakeFirst();
      if (!current) throw notFound('Job', id);
      throw conflict('job_not_dead', `Job ${id} is ${current.status}; only dead or failed jobs can be re-queued.`);
    }
    await appendAudit(tx, { actor, action: 'job.requeue', target: id, details: { kind: row.kind } });
    return toJobView(row);
  });
}
