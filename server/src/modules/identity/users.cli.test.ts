import { describe, expect, it } from 'vitest';
import { embeddedCli } from '../../testutil/cli.ts';

// `quanyi users …` as an operator runs it on an embedded data directory: the same rules as the admin users
// page, the last active admin included.
const quanyi = embeddedCli('quanyi-users-cli-');

describe('quanyi users', () => {
  it('lists, changes roles, disables, resets passwords — and never leaves no active admin', async () => {
    const boss = (await quanyi(['admin', 'create', '--email', 'boss@example.com', '--password', 'the boss password', '--json'])).json;
    const ops = (await quanyi(['admin', 'create', '--email', 'ops@example.com', '--password', 'the ops password', '--role', 'operator', '--json'])).json;

    const list = await quanyi(['users', 'list', '--role', 'operator', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.json.map((u: { email: string }) => u.email)).toEqual(['ops@example.com']);

    const promoted = await quanyi(['users', 'set-role', ops.id, 'admin', '--json']);
    expect(promoted.json).toMatchObject({ id: ops.id, role: 'admin' });
    const disabled = await quanyi(['users', 'disable', boss.id]);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.stdout).toContain('disabled');

    const last = await quanyi(['users', 'set-role', ops.id, 'finance', '--json']);
    expect(last.code).toBe(4);
    expect(last.json.error).toBe('last_admin');
    expect((await quanyi(['users', 'disable', ops.id, '--json'])).json.error).toBe('last_admin');
    expect((await quanyi(['users', 'set-role', ops.id, 'root', '--json'])).code).toBe(3);

    expect((await quanyi(['users', 'enable', boss.id, '--json'])).json.status).toBe('active');
    const reset = await quanyi(['users', 'reset-password', boss.id, '--json'], { QUANYI_ADMIN_PASSWORD: 'a new boss password' });
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).not.toContain('a new boss password');
    expect((await quanyi(['users', 'reset-password', boss.id, '--password', 'short', '--json'])).code).toBe(3);
    expect((await quanyi(['users', 'totp-reset', 'usr_nobody', '--json'])).code).toBe(5);
  });
});
