import { defineMachine } from '../../platform/state-machine.ts';

// An admin user's status: an admin disables a user (their sessions end, they cannot sign in) and may enable
// them again. Neither state is final: people come back from leave.
export type AdminUserStatus = 'active' | 'disabled';
export type AdminUserEvent = 'disable' | 'enable';

export const adminUserMachine = defineMachine<AdminUserStatus, AdminUserEvent>(
  'admin_user',
  {
    active: { disable: 'disabled' },
    disabled: { enable: 'active' },
  },
  ['disable', 'enable'],
);

export const eventTo = (status: AdminUserStatus): AdminUserEvent => (status === 'disabled' ? 'disable' : 'enable');
