/**
 * JSON with every number kept as its source text. PayOtc365 writes amounts as bare JSON numbers with
 * six decimals (`"totalAssets" : 0.000000`), and a float cannot hold them all: 123456789.123457 and
 * 123456789.123456 are different balances, and past 2^53 millionths digits are lost. (Node 20's
 * JSON.parse reviver has no `context.source` to recover the text.)
 */

/** The JSON number grammar (RFC 8259 §6), matched from a given index. */
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Parses JSON text as JSON.parse does, except that each number becomes a string holding its exact
 * source text (`1250.000000` → "1250.000000"). NOTE: a number and a string with the same text read
 * alike afterwards; callers that care must not rely on the type. Throws SyntaxError on invalid JSON.
 */
export function parseJsonNumbersAsText(source: string): unknown {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < source.length) {
    const ch = source.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      i = endOfString(source, i);
    } else if (ch === 0x2d /* - */ || (ch >= 0x30 && ch <= 0x39)) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(source);
      if (!match) throw new SyntaxError(`unexpected "${source[i]}" at position ${i}`);
      // Quoting is enough: a number's text has nothing that needs escaping. A number glued to what
      // follows ("01", "1true") becomes two adjacent values, which JSON.parse then refuses.
      out += `${source.slice(copied, i)}"${match[0]}"`;
      i += match[0].length;
      copied = i;
    } else {
      i += 1;
    }
  }
  return JSON.parse(out + source.slice(copied)) as unknown;
}

/** The index just past the string literal that starts at `start`. */
function endOfString(source: string, start: number): number {
  let i = start + 1;
  while (i < source.length) {
    const ch = source.charCodeAt(i);
    if (ch === 0x5c /* \ */) i += 2;
    else if (ch === 0x22 /* " */) return i + 1;
    else i += 1;
  }
  throw new SyntaxError('unterminated string');
}
