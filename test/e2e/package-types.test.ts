/**
 * `import 'tender/widget'` type-checks in a merchant's own project: strict, without this repo's
 * compiler options (no allowImportingTsExtensions, no experimentalDecorators), with the widget
 * package (widget/) resolved through its package.json "exports" as a bundler or Node would. Needs
 * `npm run build` (test/run.mjs runs it first), which writes the declarations. packages.test.ts
 * checks the same types once more from the packed tarball.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = join(root, 'node_modules/typescript/bin/tsc');

// Uses the element the way a merchant's code would; each @ts-expect-error proves the types are
// real (an `any` would leave it unused, which is itself an error).
const consumer = `import 'tender/widget';
import { CheckoutError, TenderCheckout, type CheckoutView, type TenderFailedDetail } from 'tender/widget';

const el = document.createElement('tender-checkout');
el.session = 'cs_1';
el.locale = 'th';
// @ts-expect-error the session id is a string
el.session = 42;
el.addEventListener('tender-failed', (event) => {
  const detail: TenderFailedDetail = event.detail;
  console.log(detail.canRetry, detail.failure?.code);
  // @ts-expect-error no such field
  console.log(event.detail.nope);
});
const view: CheckoutView | null = null;
console.log(el instanceof TenderCheckout, view, new CheckoutError('network', 'x', { recoverable: true }).code);
`;

describe('the npm package’s types', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tender-consumer-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(join(root, 'widget'), join(dir, 'node_modules/tender'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    writeFileSync(join(dir, 'main.ts'), consumer);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const resolution of ['Bundler', 'NodeNext'] as const) {
    it(`type-check in a strict project (moduleResolution ${resolution})`, () => {
      assert.ok(
        existsSync(join(root, 'widget/dist/types/index.d.ts')),
        'no declarations in widget/dist/types: run `npm run build`',
      );
      const config = `tsconfig.${resolution}.json`;
      writeFileSync(
        join(dir, config),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            target: 'ES2022',
            module: resolution === 'Bundler' ? 'ESNext' : 'NodeNext',
            moduleResolution: resolution,
            lib: ['ES2022', 'DOM'],
            types: [],
            noEmit: true,
          },
          files: ['main.ts'],
        }),
      );
      const result = spawnSync(process.execPath, [tsc, '-p', config, '--pretty', 'false'], {
        cwd: dir,
        encoding: 'utf8',
      });
      assert.equal(result.stdout + result.stderr, '');
      assert.equal(result.status, 0);
    });
  }
});
