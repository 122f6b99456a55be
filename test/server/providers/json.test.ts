/**
 * Numbers-as-text JSON: exact digits, and a hostile answer (an unterminated string of escaped quotes,
 * within the answer size limit) refused at once rather than rescanned from every quote.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIMITS } from '../../../server/limits.ts';
import { parseJsonNumbersAsText } from '../../../server/providers/json.ts';

describe('parseJsonNumbersAsText', () => {
  it('keeps numbers as their digits and strings as they are', () => {
    assert.deepEqual(parseJsonNumbersAsText('{"a":0.010,"b":"1\\"2","c":[-3e2,true]}'), {
      a: '0.010',
      b: '1"2',
      c: ['-3e2', true],
    });
  });

  // A test timeout, not a measurement: the old pattern needed minutes for this input.
  it('refuses an unterminated string of escaped quotes as large as an answer may be', { timeout: 10_000 }, () => {
    const hostile = `{"a":"${'\\"'.repeat(LIMITS.providerAnswerBytes / 2 - 8)}`;
    assert.throws(() => parseJsonNumbersAsText(hostile), SyntaxError);
  });
});
