/**
 * JSON that keeps numbers as the text they were written in. KessPay's document sends amounts as JSON
 * numbers (`"amount": 0.01`), and `JSON.parse` would turn them into floats before anyone could check
 * how many decimals were written; Node 20 has no `JSON.parse` source-text access. So the simulator
 * reads request bodies with this small strict parser (RFC 8259, plus: duplicate keys are refused) and
 * writes answers with `stringify`, which prints a `JsonNumber` exactly as given.
 */

/** A JSON number, as written. */
export class JsonNumber {
  constructor(readonly raw: string) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError';
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const MAX_DEPTH = 32;

export function parseJson(text: string): JsonValue {
  let at = 0;

  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at offset ${at}`);
  };
  const skipSpace = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at += 1;
  };

  function value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    skipSpace();
    const char = text[at];
    if (char === '{') return object(depth);
    if (char === '[') return array(depth);
    if (char === '"') return string();
    for (const [word, result] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return result;
      }
    }
    NUMBER.lastIndex = at;
    const match = NUMBER.exec(text);
    if (!match) return fail('unexpected character');
    at += match[0].length;
    return new JsonNumber(match[0]);
  }

  function object(depth: number): { [key: string]: JsonValue } {
    at += 1;
    const result: { [key: string]: JsonValue } = Object.create(null) as { [key: string]: JsonValue };
    skipSpace();
    if (text[at] === '}') {
      at += 1;
      return { ...result };
    }
    for (;;) {
      skipSpace();
      if (text[at] !== '"') fail('expected a key');
      const key = string();
      if (Object.hasOwn(result, key)) fail(`duplicate key "${key}"`);
      skipSpace();
      if (text[at] !== ':') fail('expected ":"');
      at += 1;
      result[key] = value(depth + 1);
      skipSpace();
      if (text[at] === ',') {
        at += 1;
        continue;
      }
      if (text[at] === '}') {
        at += 1;
        return { ...result };
      }
      fail('expected "," or "}"');
    }
  }

  function array(depth: number): JsonValue[] {
    at += 1;
    const result: JsonValue[] = [];
    skipSpace();
    if (text[at] === ']') {
      at += 1;
      return result;
    }
    for (;;) {
      result.push(value(depth + 1));
      skipSpace();
      if (text[at] === ',') {
        at += 1;
        continue;
      }
      if (text[at] === ']') {
        at += 1;
        return result;
      }
      fail('expected "," or "]"');
    }
  }

  function string(): string {
    const start = at;
    at += 1;
    for (;;) {
      const char = text[at];
      if (char === undefined) fail('unterminated string');
      if (char === '"') break;
      if (char! < ' ') fail('control character in string');
      if (char === '\\') {
        at += 1;
        if (text[at] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail('bad \\u escape');
          at += 4;
        } else if (!'"\\/bfnrt'.includes(text[at] ?? 'x')) fail('bad escape');
      }
      at += 1;
    }
    at += 1;
    // The span has been checked to be a valid JSON string, so the built-in parser decodes it exactly.
    return JSON.parse(text.slice(start, at)) as string;
  }

  const result = value(0);
  skipSpace();
  if (at !== text.length) fail('trailing characters');
  return result;
}

/** Serializes a value, printing each JsonNumber's text as is (and no float ever). */
export function stringifyJson(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return 'null';
  if (value instanceof JsonNumber) return value.raw;
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => stringifyJson(item)).join(',')}]`;
  const members = Object.entries(value)
    .filter(([, item]) => item !== undefined)
    .map(([key, item]) => `${JSON.stringify(key)}:${stringifyJson(item)}`);
  return `{${members.join(',')}}`;
}
