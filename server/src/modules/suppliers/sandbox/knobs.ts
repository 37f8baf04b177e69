// The sandbox supplier's fault knobs: set at start (options / CLI flags) and at run time
// (`POST /_sandbox/knobs`). One table describes each knob, so both ways validate the same.

export interface SandboxKnobs {
  /** added before every gateway answer, plus 0…latencyJitterMs */
  latencyMs: number;
  latencyJitterMs: number;
  /** time from acceptance to the final state (half of it untreated, half processing) */
  processingMs: number;
  /** share of accepted orders that end `failed` (the balance is refunded) */
  failRate: number;
  /** refuse submissions with this code before acceptance (no order created): for the next N, then at a rate */
  errorCode: number | null;
  errorNext: number;
  errorRate: number;
  /** the order IS created, but the answer is lost: held until the client gave up ('hang') or the socket cut ('drop') */
  submitTimeoutNext: number;
  submitTimeoutRate: number;
  submitTimeoutMode: 'hang' | 'drop';
  submitTimeoutHoldMs: number;
  /** direct recharges to accounts starting with this are refused with 4001 */
  invalidAccountPrefix: string | null;
  /** the account's balance in 分: each accepted order takes its price; 3003 when short */
  balanceFen: number;
  /** unit price in 分 of every product */
  priceFen: number;
  /** false: every submission gets 3004 (channel closed) and user.info says is_open 0 */
  isOpen: boolean;
  /** where signed callbacks go; null sends none */
  callbackUrl: string | null;
  callbackDelayMs: number;
  /** share of final orders whose callback is sent twice */
  callbackDuplicateRate: number;
  /** share of successful orders preceded by a (false) `failed` callback */
  callbackOutOfOrderRate: number;
  /** share of final orders whose callback is never sent */
  callbackDropRate: number;
  /** delivery attempts per callback until the receiver answers 200 `success` */
  callbackAttempts: number;
  callbackRetryMs: number;
}

export const DEFAULT_KNOBS: SandboxKnobs = {
  latencyMs: 0,
  latencyJitterMs: 0,
  processingMs: 50,
  failRate: 0,
  errorCode: null,
  errorNext: 0,
  errorRate: 0,
  submitTimeoutNext: 0,
  submitTimeoutRate: 0,
  submitTimeoutMode: 'hang',
  submitTimeoutHoldMs: 30_000,
  invalidAccountPrefix: null,
  balanceFen: 1_000_000_000_00,
  priceFen: 1000,
  isOpen: true,
  callbackUrl: null,
  callbackDelayMs: 0,
  callbackDuplicateRate: 0,
  callbackOutOfOrderRate: 0,
  callbackDropRate: 0,
  callbackAttempts: 5,
  callbackRetryMs: 1000,
};

type Kind = 'ms' | 'count' | 'rate' | 'fen' | 'code' | 'text' | 'mode' | 'bool' | 'url';
const KIND: Record<keyof SandboxKnobs, Kind> = {
  latencyMs: 'ms',
  latencyJitterMs: 'ms',
  processingMs: 'ms',
  failRate: 'rate',
  errorCode: 'code',
  errorNext: 'count',
  errorRate: 'rate',
  submitTimeoutNext: 'count',
  submitTimeoutRate: 'rate',
  submitTimeoutMode: 'mode',
  submitTimeoutHoldMs: 'ms',
  invalidAccountPrefix: 'text',
  balanceFen: 'fen',
  priceFen: 'fen',
  isOpen: 'bool',
  callbackUrl: 'url',
  callbackDelayMs: 'ms',
  callbackDuplicateRate: 'rate',
  callbackOutOfOrderRate: 'rate',
  callbackDropRate: 'rate',
  callbackAttempts: 'count',
  callbackRetryMs: 'ms',
};

export const KNOB_NAMES = Object.keys(KIND) as Array<keyof SandboxKnobs>;

function check(kind: Kind, v: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const int = (min: number, max: number) =>
    Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max ? { ok: true as const, value: v } : { ok: false as const, message: `an integer ${min}…${max}` };
  switch (kind) {
    case 'ms':
      return int(0, 3_600_000);
    case 'count':
      return int(0, 1_000_000_000);
    case 'fen':
      return int(0, Number.MAX_SAFE_INTEGER);
    case 'rate':
      return typeof v === 'number' && v >= 0 && v <= 1 ? { ok: true, value: v } : { ok: false, message: 'a number 0…1' };
    case 'code':
      return v === null ? { ok: true, value: null } : int(1, 9999);
    case 'text':
      return v === null || v === '' ? { ok: true, value: null } : typeof v === 'string' && v.length <= 64 ? { ok: true, value: v } : { ok: false, message: 'a string or null' };
    case 'mode':
      return v === 'hang' || v === 'drop' ? { ok: true, value: v } : { ok: false, message: "'hang' or 'drop'" };
    case 'bool':
      return typeof v === 'boolean' ? { ok: true, value: v } : { ok: false, message: 'true or false' };
    case 'url':
      if (v === null || v === '') return { ok: true, value: null };
      try {
        const u = new URL(String(v));
        return typeof v === 'string' && (u.protocol === 'http:' || u.protocol === 'https:') ? { ok: true, value: v } : { ok: false, message: 'an http(s) URL' };
      } catch {
        return { ok: false, message: 'an http(s) URL' };
      }
  }
}

/** Applies a partial set of knobs; nothing changes unless every given knob is valid. Returns the problems. */
export function applyKnobs(target: SandboxKnobs, patch: unknown): string[] {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return ['knobs must be a JSON object'];
  const problems: string[] = [];
  const accepted: Partial<Record<keyof SandboxKnobs, unknown>> = {};
  for (const [name, value] of Object.entries(patch)) {
    if (!Object.hasOwn(KIND, name)) {
      problems.push(`${name}: unknown knob`);
      continue;
    }
    const r = check(KIND[name as keyof SandboxKnobs], value);
    if (r.ok) accepted[name as keyof SandboxKnobs] = r.value;
    else problems.push(`${name}: must be ${r.message}`);
  }
  if (problems.length === 0) Object.assign(target, accepted);
  return problems;
}

/** Parses a CLI flag's text into the knob's type (numbers, booleans, null) before applyKnobs validates it. */
export function knobFromText(name: keyof SandboxKnobs, text: string): unknown {
  const kind = KIND[name];
  if (kind === 'text' || kind === 'url' || kind === 'mode') return text;
  if (kind === 'bool') return text === 'true' ? true : text === 'false' ? false : text;
  if (kind === 'code' && (text === 'none' || text === 'null')) return null;
  return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
}
