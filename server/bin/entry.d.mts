export function chooseEntry(root: string, env?: Record<string, string | undefined>): { file: string; compiled: boolean };
