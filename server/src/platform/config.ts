import path from 'node:path';
import { validationFailed, type FieldProblem } from './errors.ts';

// Configuration is read from the environment once, validated, and passed down explicitly.
/** connections in the server's shared pool unless QUANYI_DB_POOL_SIZE says otherwise */
export const DEFAULT_DB_POOL_SIZE = 12;

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  databaseUrl?: string;
  redisUrl?: string;
  /** prefix of every Redis key, so several deployments (or test runs) can share one Redis */
  redisPrefix: string;
  dataDir: string;
  masterKey?: string;
  logLevel: string;
  /** trust X-Forwarded-For from these proxies (Fastify trustProxy: true, a hop count, or addresses); off by default so clients cannot spoof their IP past the rate limits */
  trustProxy: boolean | string | ((address: string, hop: number) => boolean);
  dbPoolSize: number;
  /** PostgreSQL timeouts (ms): a lost database answers 503 within a bounded time instead of hanging (DESIGN §3.7) */
  dbTimeouts: {
    /** connecting, and waiting for a free pooled connection */
    connectTimeoutMs: number;
    /** server-side statement_timeout; 0 = none */
    statementTimeoutMs: number;
    /** client-side: no answer on an open connection (a dead link); 0 = none */
    queryTimeoutMs: number;
  };
  /** QUANYI_DEMO=true: `serve --demo` may seed demo data into a PostgreSQL (DATABASE_URL) too, not only the embedded database */
  demoOnPostgres: boolean;
  /** seconds clients are told to wait (Retry-After) when the database is unavailable */
  unavailableRetryAfterSeconds: number;
  limits: {
    /** reveal/view requests per IP per minute (generous: an office shares one NAT address) */
    redeemPerIpPerMinute: number;
    /** requests per redeem token per minute */
    redeemPerTokenPerMinute: number;
    /** unknown-token lookups per IP per 10 minutes: what stops guessing */
    redeemMissesPerIpPer10Min: number;
    /** admin login attempts per IP+email per 15 minutes */
    loginPer15Min: number;
    /** signed API requests per client key per minute and process (Redis: across processes); 0 = no limit */
    clientRequestsPerMinute: number;
    /** campaign-link claims per IP per minute (the page views share redeemPerIpPerMinute) */
    campaignClaimsPerIpPerMinute: number;
  };
  clockSkewSeconds: number;
  suppliers: {
    /** how often the balance of every active supplier is polled */
    balancePollMinutes: number;
    /** timeout of a balance query */
    balanceTimeoutMs: number;
    /** circuit breaker per supplier (DESIGN §11): opens when failurePercent of at least minCalls calls in windowSeconds failed */
    circuit: { minCalls: number; failurePercent: number; windowSeconds: number; openSeconds: number };
  };
  grantDefaultValidityDays: number;
  sessionTtlHours: number;
  /** an admin session unused for this long ends (401 session_expired); the absolute TTL applies too */
  sessionIdleMinutes: number;
  /** direct recharge (DESIGN §11 defaults) */
  recharge: {
    /** a submit with no answer within this is `unknown` */
    submitTimeoutMs: number;
    queryTimeoutMs: number;
    /** delays before query n of an accepted or unknown attempt; the last repeats */
    pollScheduleMs: number[];
    /** "no such order" this many times over at least resubmitAfterMs → submit the same order number again */
    resubmitAfterNotFound: number;
    resubmitAfterMs: number;
  };
  /** deliver webhooks to loopback / private / link-local addresses (development and tests only) */
  allowPrivateWebhooks: boolean;
  /** days a webhook event, its deliveries and their tries are kept once every delivery is final */
  webhookRetentionDays: number;
  /** jobs run at once per lane by `quanyi serve` (unset: the runner's defaults, 32 fast / 1 bulk on PostgreSQL) */
  jobs: { fastConcurrency?: number; bulkConcurrency?: number };
  /** notifications and phone codes (module notify) */
  notify: NotifyConfig;
}

export interface NotifyConfig {
  /** SMTP_URL, e.g. smtp://user:pass@host:587; unset: email is not configured */
  smtpUrl?: string;
  mailFrom: string;
  /** Aliyun SMS SendSms; unset key id: SMS is not configured (the demo starts the sandbox gateway) */
  sms: { endpoint: string; accessKeyId?: string; accessKeySecret?: string; signName: string; regionId: string };
  /** every outbound send gives up after this */
  sendTimeoutMs: number;
  /** marketing messages per recipient per (Asia/Shanghai) day */
  marketingPerDay: number;
  /** quiet hours for marketing, local hours [start, end) in UTC+offset; start = end: none */
  quietHours: { start: number; end: number; utcOffsetMinutes: number };
  /** reminders: days before an unclaimed grant expires / a membership period ends */
  reminderDaysBefore: number;
  brandName: string;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, def: number, problems: FieldProblem[], min = 1, max = 1_000_000_000): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push({ field: name, message: `must be an integer between ${min} and ${max}` });
    return def;
  }
  return n;
}

function bool(env: Env, name: string, def: boolean, problems: FieldProblem[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  problems.push({ field: name, message: 'must be true or false' });
  return def;
}

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const problems: FieldProblem[] = [];
  const port = int(env, 'PORT', 8080, problems, 0, 65535);
  const host = env.HOST || '0.0.0.0';
  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    const u = new URL(publicUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
  } catch {
    problems.push({ field: 'PUBLIC_URL', message: 'must be an absolute http(s) URL' });
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push({ field: 'DATABASE_URL', message: 'must be a postgres:// URL' });
  }
  const redisUrl = env.REDIS_URL || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push({ field: 'REDIS_URL', message: 'must be a redis:// URL' });
  }
  const masterKey = env.QUANYI_MASTER_KEY || undefined;
  if (masterKey) {
    for (const part of masterKey.split(',')) {
      if (Buffer.from(part.trim(), 'base64').length !== 32) {
        problems.push({ field: 'QUANYI_MASTER_KEY', message: 'must be base64 of 32 bytes (comma-separated, newest first)' });
        break;
      }
    }
  }
  const config: Config = {
    port,
    host,
    publicUrl,
    databaseUrl,
    redisUrl,
    redisPrefix: env.QUANYI_REDIS_PREFIX || 'quanyi',
    dataDir: path.resolve(cwd, env.QUANYI_DATA_DIR || './data'),
    masterKey,
    logLevel: env.LOG_LEVEL || 'info',
    trustProxy: parseTrustProxy(env.QUANYI_TRUST_PROXY),
    dbPoolSize: int(env, 'QUANYI_DB_POOL_SIZE', DEFAULT_DB_POOL_SIZE, problems, 1, 200),
    dbTimeouts: dbTimeouts(env, problems),
    demoOnPostgres: env.QUANYI_DEMO === 'true',
    unavailableRetryAfterSeconds: int(env, 'QUANYI_RETRY_AFTER_SECONDS', 5, problems, 1, 3600),
    limits: {
      redeemPerIpPerMinute: int(env, 'QUANYI_REDEEM_PER_IP_PER_MINUTE', 300, problems),
      redeemPerTokenPerMinute: int(env, 'QUANYI_REDEEM_PER_TOKEN_PER_MINUTE', 20, problems),
      redeemMissesPerIpPer10Min: int(env, 'QUANYI_REDEEM_MISSES_PER_IP_PER_10MIN', 30, problems),
      loginPer15Min: int(env, 'QUANYI_LOGIN_ATTEMPTS_PER_15MIN', 10, problems),
      clientRequestsPerMinute: int(env, 'QUANYI_CLIENT_REQUESTS_PER_MINUTE', 60_000, problems, 0),
      campaignClaimsPerIpPerMinute: int(env, 'QUANYI_CAMPAIGN_CLAIMS_PER_IP_PER_MINUTE', 30, problems, 1),
    },
    clockSkewSeconds: 300,
    suppliers: {
      balancePollMinutes: int(env, 'QUANYI_SUPPLIER_BALANCE_POLL_MINUTES', 10, problems, 1, 1440),
      balanceTimeoutMs: int(env, 'QUANYI_SUPPLIER_BALANCE_TIMEOUT_MS', 10_000, problems, 100, 120_000),
      circuit: {
        minCalls: int(env, 'QUANYI_SUPPLIER_CIRCUIT_MIN_CALLS', 20, problems, 1, 100_000),
        failurePercent: int(env, 'QUANYI_SUPPLIER_CIRCUIT_FAILURE_PERCENT', 50, problems, 1, 100),
        windowSeconds: int(env, 'QUANYI_SUPPLIER_CIRCUIT_WINDOW_SECONDS', 60, problems, 1, 3600),
        openSeconds: int(env, 'QUANYI_SUPPLIER_CIRCUIT_OPEN_SECONDS', 30, problems, 1, 3600),
      },
    },
    grantDefaultValidityDays: int(env, 'QUANYI_GRANT_VALIDITY_DAYS', 365, problems),
    sessionTtlHours: int(env, 'QUANYI_SESSION_TTL_HOURS', 12, problems),
    sessionIdleMinutes: int(env, 'QUANYI_SESSION_IDLE_MINUTES', 30, problems, 1, 7 * 24 * 60),
    recharge: {
      submitTimeoutMs: int(env, 'QUANYI_RECHARGE_SUBMIT_TIMEOUT_MS', 10_000, problems, 100, 120_000),
      queryTimeoutMs: int(env, 'QUANYI_RECHARGE_QUERY_TIMEOUT_MS', 10_000, problems, 100, 120_000),
      pollScheduleMs: msList(env, 'QUANYI_RECHARGE_POLL_SCHEDULE_MS', [5_000, 10_000, 20_000, 40_000, 60_000], problems),
      resubmitAfterNotFound: int(env, 'QUANYI_RECHARGE_RESUBMIT_AFTER_NOT_FOUND', 3, problems, 1, 100),
      resubmitAfterMs: int(env, 'QUANYI_RECHARGE_RESUBMIT_AFTER_MS', 60_000, problems, 0, 86_400_000),
    },
    allowPrivateWebhooks: bool(env, 'QUANYI_ALLOW_PRIVATE_WEBHOOKS', false, problems),
    webhookRetentionDays: int(env, 'QUANYI_WEBHOOK_RETENTION_DAYS', 30, problems, 1, 3650),
    jobs: {
      fastConcurrency: env.QUANYI_JOBS_FAST_CONCURRENCY ? int(env, 'QUANYI_JOBS_FAST_CONCURRENCY', 32, problems, 1, 1000) : undefined,
      bulkConcurrency: env.QUANYI_JOBS_BULK_CONCURRENCY ? int(env, 'QUANYI_JOBS_BULK_CONCURRENCY', 1, problems, 1, 100) : undefined,
    },
    notify: notifyConfig(env, problems),
  };
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel)) {
    problems.push({ field: 'LOG_LEVEL', message: 'must be one of fatal, error, warn, info, debug, trace, silent' });
  }
  if (problems.length) throw validationFailed(problems, 'Invalid configuration: ' + problems.map((p) => `${p.field} ${p.message}`).join('; '));
  return config;
}

function notifyConfig(env: Env, problems: FieldProblem[]): NotifyConfig {
  const smtpUrl = env.SMTP_URL || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) problems.push({ field: 'SMTP_URL', message: 'must be an smtp:// or smtps:// URL' });
  const quiet = (env.QUANYI_NOTIFY_QUIET_HOURS ?? '21-8').split('-').map((x) => Number(x.trim()));
  if (quiet.length !== 2 || quiet.some((h) => !Number.isInteger(h) || h < 0 || h > 23)) problems.push({ field: 'QUANYI_NOTIFY_QUIET_HOURS', message: 'must be START-END hours (0–23), e.g. 21-8' });
  return {
    smtpUrl,
    mailFrom: env.MAIL_FROM || 'Quanyi <no-reply@localhost>',
    sms: {
      endpoint: env.ALIYUN_SMS_ENDPOINT || 'https://dysmsapi.aliyuncs.com/',
      accessKeyId: env.ALIYUN_SMS_ACCESS_KEY_ID || undefined,
      accessKeySecret: env.ALIYUN_SMS_ACCESS_KEY_SECRET || undefined,
      signName: env.ALIYUN_SMS_SIGN_NAME || 'Quanyi',
      regionId: env.ALIYUN_SMS_REGION_ID || 'cn-hangzhou',
    },
    sendTimeoutMs: int(env, 'QUANYI_NOTIFY_SEND_TIMEOUT_MS', 10_000, problems, 100, 120_000),
    marketingPerDay: int(env, 'QUANYI_NOTIFY_MARKETING_PER_DAY', 3, problems, 0, 1000),
    quietHours: { start: quiet[0] ?? 21, end: quiet[1] ?? 8, utcOffsetMinutes: int(env, 'QUANYI_NOTIFY_UTC_OFFSET_MINUTES', 480, problems, -720, 840) },
    reminderDaysBefore: int(env, 'QUANYI_NOTIFY_REMINDER_DAYS', 3, problems, 1, 60),
    brandName: env.QUANYI_BRAND_NAME || '权益',
  };
}

function dbTimeouts(env: Env, problems: FieldProblem[]): Config['dbTimeouts'] {
  const connectTimeoutMs = int(env, 'QUANYI_DB_CONNECT_TIMEOUT_MS', 5_000, problems, 100, 600_000);
  const statementTimeoutMs = int(env, 'QUANYI_DB_STATEMENT_TIMEOUT_MS', 30_000, problems, 0, 86_400_000);
  // a little longer than the server-side limit, so a slow statement is cancelled by PostgreSQL (which
  // keeps the connection) before the client gives up on the connection
  const queryTimeoutMs = int(env, 'QUANYI_DB_QUERY_TIMEOUT_MS', statementTimeoutMs ? statementTimeoutMs + 5_000 : 0, problems, 0, 86_400_000);
  return { connectTimeoutMs, statementTimeoutMs, queryTimeoutMs };
}

/** comma-separated milliseconds, e.g. "5000,10000,20000,40000,60000" */
function msList(env: Env, name: string, def: number[], problems: FieldProblem[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const list = raw.split(',').map((x) => Number(x.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 10 || n > 86_400_000)) {
    problems.push({ field: name, message: 'must be comma-separated milliseconds (10 – 86400000 each)' });
    return def;
  }
  return list;
}

function parseTrustProxy(v: string | undefined): Config['trustProxy'] {
  if (!v || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return (_address, hop) => hop < hops;
  }
  return v; // comma-separated addresses or CIDRs
}
