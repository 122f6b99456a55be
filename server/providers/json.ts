/**
 * JSON for provider wire formats that carry money as JSON numbers (KessPay's `0.01`). A float
 * cannot hold every decimal, so numbers are read and written as their text.
 */

/**
 * Parses JSON with every number turned into the string of its digits, exactly as written
 * (`0.010` stays "0.010"). One linear pass: string tokens are kept as they are, number tokens
 * outside strings are quoted; then `JSON.parse` does the rest.
 */
export function parseJsonNumbersAsText(source: string): unknown {
  // NOTE: the closing quote is optional so that an unterminated string is one token to the end rather
  // than a failed match retried from every later quote (quadratic on `"\"\"\"…`); JSON.parse then
  // refuses it.
  const quoted = source.replace(/"(?:[^"\\]|\\[\s\S])*"?|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g, (token) =>
    token.startsWith('"') ? token : `"${token}"`,
  );
  return JSON.parse(quoted) as unknown;
}

/**
 * Serialises a body whose `decimalKeys` hold decimal strings ("12.50") as JSON numbers written
 * with exactly those digits, as a provider that wants numbers expects.
 */
export function stringifyWithDecimals(body: Record<string, unknown>, decimalKeys: readonly string[]): string {
  for (const key of decimalKeys) {
    const value = body[key];
    if (value !== undefined && (typeof value !== 'string' || !/^\d+(\.\d+)?$/.test(value))) {
      throw new TypeError(`${key} must be a decimal string`);
    }
  }
  return JSON.stringify(body, (key, value: unknown) =>
    decimalKeys.includes(key) && typeof value === 'string' ? `\u0000${value}\u0000` : value,
  ).replace(/"\\u0000(\d+(?:\.\d+)?)\\u0000"/g, '$1');
}
