// Money is integer 分 on the wire and 元 on screen. Converted by string arithmetic, never through floating
// point (0.1 + 0.2 is not 0.3; 19.99 * 100 is 1998.9999999999998).

/** 1505 → "15.05"; 0 → "0.00" */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new Error(`not an integer amount of fen: ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const digits = String(Math.abs(fen)).padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** "15.05" → 1505, "15" → 1500, "15.5" → 1550; anything else (more decimals, signs, letters) → null */
export function yuanToFen(yuan: string): number | null {
  const m = /^(\d{1,12})(?:\.(\d{0,2}))?$/.exec(yuan.trim());
  if (!m) return null;
  const fen = Number(m[1] + (m[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(fen) ? fen : null;
}
