/**
 * Parses One1Pay JSON. Two deliberate departures from JSON.parse:
 * - a comma before `}` or `]` is dropped: every example in the document has one (`"type":"deposit",}`),
 *   and a hand-built PHP answer may really send it; nothing else that is not JSON is accepted;
 * - every number is kept as its source text (`300.0000` becomes "300.0000"), so amounts are read
 *   exactly by `parseProviderDecimal` instead of through a float.
 */
export function parseOne1PayJson(source: string): unknown {
  // One pass that copies the source in slices, so the work stays linear in its length.
  const parts: string[] = [];
  let copied = 0;
  let i = 0;
  while (i < source.length) {
    const ch = source.charCodeAt(i);
    if (ch === QUOTE) {
      i = endOfString(source, i);
    } else if (ch === COMMA) {
      let next = i + 1;
      while (next < source.length && JSON_SPACE.has(source.charCodeAt(next))) next++;
      const closer = source[next];
      if (closer === '}' || closer === ']') {
        parts.push(source.slice(copied, i));
        copied = i + 1;
      }
      i = next;
    } else if (ch === MINUS || (ch >= DIGIT_0 && ch <= DIGIT_9)) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(source);
      if (!match) throw new SyntaxError(`unexpected "${source[i]}" at ${i}`);
      parts.push(source.slice(copied, i), '"', match[0], '"');
      i += match[0].length;
      copied = i;
    } else {
      i++;
    }
  }
  parts.push(source.slice(copied));
  return JSON.parse(parts.join('')) as unknown;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const BACKSLASH = 0x5c;
/** JSON's four whitespace characters (RFC 8259 §2). */
const JSON_SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Index just past the string literal that starts at `start`. */
function endOfString(source: string, start: number): number {
  let i = start + 1;
  while (i < source.length) {
    const ch = source.charCodeAt(i);
    if (ch === BACKSLASH) i += 2;
    else if (ch === QUOTE) return i + 1;
    else i++;
  }
  throw new SyntaxError('unterminated string');
}
