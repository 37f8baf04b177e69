import type { ClientResolver } from '../../platform/auth/client-auth.ts';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { inTx, type Executor } from '../../platform/db/db.ts';
import { appendAudit } from '../audit/index.ts';
import type { Keyring } from '../../platform/crypto/keyring.ts';
import { validationFailed } from '../../platform/errors.ts';
import { knownScopes } from '../../platform/auth/permissions.ts';
import { newId } from '../../platform/ids.ts';

// Client systems (apps, CRMs, malls) that call the open API with signed requests.
/** a scope some module declares (ModuleDefinition.scopes), e.g. grants:write */
export type ClientScope = string;

export interface Client {
  id: string;
  key_id: string;
  name: string;
  scopes: string[];
  status: 'active' | 'disabled';
  created_at: Date;
}

const secretContext = (clientId: string) => 'client-secret:' + clientId;

export function parseScopes(input: string | string[]): ClientScope[] {
  const list = (Array.isArray(input) ? input : input.split(',')).map((s) => s.trim()).filter(Boolean);
  const known = knownScopes();
  const bad = list.filter((s) => !known.includes(s));
  if (bad.length || list.length === 0) {
    throw validationFailed([{ field: 'scopes', message: `must be one or more of ${known.join(', ')}${bad.length ? `; unknown: ${bad.join(', ')}` : ''}` }]);
  }
  return [...new Set(list)] as ClientScope[];
}

/** Creates a client; the secret is returned here once and stored only encrypted under the master key. */
/** Creates a client key (audited as `actor`); the secret is returned only now. */
export async function createClient(db: Executor, keyring: Keyring, input: { name: string; scopes: ClientScope[] }, actor: string) {
  const name = input.name.trim();
  if (!name || name.length > 100) throw validationFailed([{ field: 'name', message: 'must be 1–100 characters' }]);
  const id = newId('cli');
  const keyId = 'qk_' + randomBytes(12).toString('hex');
  const secret = 'qs_' + randomBytes(32).toString('base64url');
  const w = keyring.wrap(Buffer.from(secret), secretContext(id));
  await inTx(db, async (tx) => {
    await tx
      .insertInto('clients')
      .values({ id, key_id: keyId, name, scopes: input.scopes, secret_wrapped: w.wrapped, master_key_id: w.masterKeyId })
      .execute();
    await appendAudit(tx, { actor, action: 'client.create', target: id, details: { key_id: keyId, name, scopes: input.scopes } });
  });
  return { id, key_id: keyId, secret, name, scopes: input.scopes };
}

export interface ClientWithSecret {
  client: Client;
  secret: Buffer;
}

/**
 * Looks a client up by key id and unwraps its secret. Cached: every signed request needs it. A change to a
 * client (disable) must reach every process within a second (issue 5 §4):
 * - with Redis, `forget` publishes the key id and every process drops it from its cache at once; entries live
 *   30 s while the subscription is up, 1 s while it is not (a message may have been missed: the cache is
 *   cleared whenever the subscription comes back);
 * - without Redis, entries live 1 s and are then validated against the database again (the unwrapped secret
 *   is reused while its ciphertext is unchanged, so a refresh costs one indexed read).
 */
export class ClientDirectory implements ClientResolver {
  private readonly cache = new Map<string, { value: ClientWithSecret | null; wrapped: Buffer | null; at: number }>();
  private readonly channel: string;
  private subscriber: Redis | null = null;
  private subscribed = false;
  constructor(
    private readonly db: Executor,
    private readonly keyring: Keyring,
    private readonly opts: { redis?: Redis; redisPrefix?: string; ttlMs?: number; unsubscribedTtlMs?: number } = {},
  ) {
    this.channel = `${opts.redisPrefix ?? 'quanyi'}:clients:changed`;
  }

  private ttlMs() {
    return this.subscribed ? (this.opts.ttlMs ?? 30_000) : (this.opts.unsubscribedTtlMs ?? 1_000);
  }

  /** Subscribes on first use only: CLI commands never look clients up and need no extra connection. */
  private subscribe() {
    if (this.subscriber || !this.opts.redis) return;
    const sub = this.opts.redis.duplicate();
    this.subscriber = sub;
    sub.on('error', () => undefined); // reconnects by itself; meanwhile the short TTL applies
    sub.on('message', (channel: string, keyId: string) => {
      if (channel === this.channel) {
        this.generations.set(keyId, (this.generations.get(keyId) ?? 0) + 1);
        this.cache.delete(keyId);
      }
    });
    sub.on('close', () => (this.subscribed = false));
    sub.on('ready', () => {
      // (re)subscribed: whatever was published while we were away is lost, so forget everything once
      this.cache.clear();
      this.subscribed = true;
    });
    sub.subscribe(this.channel).then(
      () => {
        this.cache.clear();
        this.subscribed = true;
      },
      () => undefined,
    );
  }

  // one read in flight per key: when an entry expires under load, the requests of that moment share it; a
  // `forget` during a read keeps that read's answer out of the cache (the generation moved on)
  private readonly flights = new Map<string, { generation: number; promise: Promise<ClientWithSecret | null> }>();
  private readonly generations = new Map<string, number>();

  async byKeyId(keyId: string): Promise<ClientWithSecret | null> {
    this.subscribe();
    const hit = this.cache.get(keyId);
    if (hit && Date.now() - hit.at < this.ttlMs()) return hit.value;
    const generation = this.generations.get(keyId) ?? 0;
    const flying = this.flights.get(keyId);
    if (flying && flying.generation === generation) return flying.promise;
    const promise = this.read(keyId, hit, generation);
    this.flights.set(keyId, { generation, promise });
    try {
      return await promise;
    } finally {
      if (this.flights.get(keyId)?.promise === promise) this.flights.delete(keyId);
    }
  }

  private async read(keyId: string, hit: { value: ClientWithSecret | null; wrapped: Buffer | null } | undefined, generation: number): Promise<ClientWithSecret | null> {
    const row = await this.db.selectFrom('clients').selectAll().where('key_id', '=', keyId).executeTakeFirst();
    let value: ClientWithSecret | null = null;
    let wrapped: Buffer | null = null;
    if (row) {
      wrapped = Buffer.from(row.secret_wrapped);
      const secret =
        hit?.value && hit.wrapped?.equals(wrapped)
          ? hit.value.secret
          : this.keyring.unwrap({ wrapped, masterKeyId: row.master_key_id }, secretContext(row.id));
      value = { client: { id: row.id, key_id: row.key_id, name: row.name, scopes: row.scopes, status: row.status, created_at: row.created_at }, secret };
    }
    if ((this.generations.get(keyId) ?? 0) === generation) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(keyId, { value, wrapped, at: Date.now() });
    }
    return value;
  }

  /** Drops the entry here and, with Redis, in every other process. Call it after the change committed. */
  forget(keyId: string) {
    this.generations.set(keyId, (this.generations.get(keyId) ?? 0) + 1);
    if (this.generations.size > 10_000) this.generations.clear();
    this.cache.delete(keyId);
    void this.opts.redis?.publish(this.channel, keyId).catch(() => undefined);
  }

  async close() {
    this.subscriber?.disconnect();
    this.subscriber = null;
    this.subscribed = false;
  }
}

export async function listClients(db: Executor): Promise<Client[]> {
  return db.selectFrom('clients').select(['id', 'key_id', 'name', 'scopes', 'status', 'created_at']).orderBy('id', 'desc').execute();
}

/** Enables or disables a client key, audited as `actor`; undefined when there is no such client. */
export async function setClientStatus(db: Executor, id: string, status: 'active' | 'disabled', actor: string) {
  return inTx(db, async (tx) => {
    const r = await tx.updateTable('clients').set({ status }).where('id', '=', id).returning(['id', 'key_id', 'status']).executeTakeFirst();
    if (r) await appendAudit(tx, { actor, action: status === 'disabled' ? 'client.disable' : 'client.enable', target: id, details: { key_id: r.key_id } });
    return r;
  });
}
