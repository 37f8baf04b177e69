import { IMPORT_JOB, runImportJob } from '../../modules/inventory/index.ts';
import type { JobHandler } from './jobs.ts';

// Every kind of job this process knows how to run. A module that adds a job kind adds one line here.
export const jobHandlers: Record<string, JobHandler> = {
  [IMPORT_JOB]: runImportJob,
};
