// One spelling of a phone number, for everything that stores, fingerprints, masks or searches one (grant
// recipients today, recharge accounts next). Issuing and searching once disagreed on a leading "+", so a
// number issued as +86… could not be found again.

/** What a phone field accepts before normalising: digits, an optional leading +, single spaces or dashes. */
export const PHONE_PATTERN = '^\\+?[0-9]+(?:[ -][0-9]+)*$';

/**
 * Digits only, without a leading + or 00, and without the 86 country code in front of a mainland mobile
 * number (86 + 11 digits starting with 1): "+86 139-1234-5678", "0086 13912345678" and "13912345678" are
 * the same number. Other international numbers keep their country code. Null when it is not 6–20 digits.
 */
export function normalisePhone(input: string): string | null {
  const trimmed = input.normalize('NFKC').trim();
  if (!new RegExp(PHONE_PATTERN).test(trimmed)) return null;
  let d = trimmed.replace(/[^0-9]/g, '');
  if (!trimmed.startsWith('+') && d.startsWith('00')) d = d.slice(2);
  if (/^861\d{10}$/.test(d)) d = d.slice(2);
  return d.length >= 6 && d.length <= 20 ? d : null;
}
