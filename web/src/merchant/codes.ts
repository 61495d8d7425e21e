/** Coupon codes as rewards/codes.py makes them: 8 characters and a check character from a
 * 31-character alphabet; the weighted sum (position i weighs i + 1) is divisible by 31, so a
 * single wrong character or a swap of neighbours is caught as it is typed. */

export const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
export const LENGTH = 9;
const BASE = ALPHABET.length;

export type CodeCheck =
  | { state: "empty" }
  | { state: "partial"; typed: number }
  | { state: "foreign"; characters: string }
  | { state: "too-long" }
  | { state: "typo" }
  | { state: "valid"; code: string };

/** Upper case, without the spaces, dashes and underscores people type. */
export function squeeze(text: string): string {
  return text.replace(/[\s\-_]/g, "").toUpperCase();
}

export function isValid(code: string): boolean {
  if (code.length !== LENGTH) return false;
  let total = 0;
  for (let i = 0; i < code.length; i++) {
    const value = ALPHABET.indexOf(code[i]);
    if (value < 0) return false;
    total += (i + 1) * value;
  }
  return total % BASE === 0;
}

/** What the cashier has typed so far, judged character by character. */
export function checkTyped(text: string): CodeCheck {
  const code = squeeze(text);
  if (!code) return { state: "empty" };
  const foreign = [...new Set([...code].filter((c) => !ALPHABET.includes(c)))].join("");
  if (foreign) return { state: "foreign", characters: foreign };
  if (code.length < LENGTH) return { state: "partial", typed: code.length };
  if (code.length > LENGTH) return { state: "too-long" };
  return isValid(code) ? { state: "valid", code } : { state: "typo" };
}

/** `K7QM4XPRW` → `K7QM-4XPR-W`. */
export function display(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
}
