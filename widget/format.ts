/**
 * Display formatting. Amounts arrive as decimal strings and are shown without
 * passing through a float where the browser allows it.
 */

/**
 * `"1250.00"` + `THB` → `฿1,250.00` in the shopper's locale. Codes that are not ISO 4217 (USDT)
 * make `Intl.NumberFormat` throw, so they fall back to `"<amount> <code>"`.
 */
export function formatAmount(amount: string, currency: string, locale: string): string {
  if (!/^[A-Z]{3}$/.test(currency)) return `${amount} ${currency}`;
  try {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    // Intl formats a numeric string as an exact decimal (no float rounding of large amounts).
    return format.format(amount as `${number}`);
  } catch {
    return `${amount} ${currency}`;
  }
}

/** Milliseconds left → `mm:ss`, never negative; minutes grow past 59 rather than wrap. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}
