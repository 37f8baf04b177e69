import { defineMachine } from '../../platform/state-machine.ts';

// A link batch: issuing while its job issues the grants chunk by chunk; ready once all `count` are issued;
// failed when issuing stopped for good (out of stock, product inactive …) — the links issued so far stay
// valid and exportable.
export type LinkBatchStatus = 'issuing' | 'ready' | 'failed';
export type LinkBatchEvent = 'finish' | 'fail';

export const linkBatchMachine = defineMachine<LinkBatchStatus, LinkBatchEvent>(
  'link_batch',
  {
    issuing: { finish: 'ready', fail: 'failed' },
    ready: {},
    failed: {},
  },
  ['finish', 'fail'],
);
