/**
 * The domain never names a provider: what differs between providers is asked of the provider object
 * (a capability present or not) or arrives as a neutral error code. This reads the domain's code,
 * comments left out, for any registered provider's id.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PROVIDER_IDS } from '../../../server/providers/registry.ts';

const DOMAIN = new URL('../../../server/domain/', import.meta.url);

function codeOf(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

describe('domain/', () => {
  it('names no provider in its code', () => {
    assert.ok(PROVIDER_IDS.length > 0);
    const files = readdirSync(DOMAIN).filter((name) => name.endsWith('.ts'));
    assert.ok(files.includes('checkout.ts'));
    for (const file of files) {
      const code = codeOf(readFileSync(new URL(file, DOMAIN), 'utf8'));
      for (const id of PROVIDER_IDS) {
        assert.doesNotMatch(code, new RegExp(`\\b${id}\\b`, 'i'), `${file} names ${id}`);
      }
    }
  });
});
