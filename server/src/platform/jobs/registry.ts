import type { JobDefinition, JobPolicy } from './jobs.ts';

// The job kinds this process knows, with their policies: filled once from the module list (modules/index.ts)
// at start-up. `enqueue` reads the policy (attempts) and the runner reads handlers and lanes from here.
const definitions = new Map<string, JobDefinition>();

export const DEFAULT_POLICY: JobPolicy = { attempts: 5, backoffSeconds: [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600], lane: 'fast', retentionDays: 7 };

export function registerJobs(defs: Record<string, JobDefinition>): void {
  for (const [kind, def] of Object.entries(defs)) {
    const known = definitions.get(kind);
    if (known && known !== def) throw new Error(`job kind ${kind} is declared twice`);
    definitions.set(kind, def);
  }
}

export function jobDefinition(kind: string): JobDefinition | undefined {
  return definitions.get(kind);
}

export function registeredJobs(): Record<string, JobDefinition> {
  return Object.fromEntries(definitions);
}
