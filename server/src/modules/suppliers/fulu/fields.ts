// Field tolerance of the gateway protocol: `product_id` and `buy_num` are JSON numbers, but receivers also
// accept numeric strings (DESIGN §11). Anything else is refused, never guessed.

const DIGITS = /^\d{1,15}$/;

/** a non-negative integer given as a JSON number or a string of digits, else null */
export function numericField(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value === 'string' && DIGITS.test(value)) return Number(value);
  return null;
}

/** a product id as our side keeps it (a string of digits), from a number or numeric string */
export function productIdField(value: unknown): string | null {
  const n = numericField(value);
  return n === null ? null : String(n);
}

/** the JSON number we send for a product id kept as a string; null when it is not one */
export function productIdToWire(productId: string): number | null {
  return DIGITS.test(productId) ? Number(productId) : null;
}

/** a string, or null for null/undefined/'' ; anything else is invalid (undefined) */
export function optionalString(value: unknown): string | null | undefined {
  if (value === null || value === undefined || value === '') return null;
  return typeof value === 'string' ? value : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON.parse that answers undefined instead of throwing */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
