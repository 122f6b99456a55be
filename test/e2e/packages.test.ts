/**
 * The two npm packages as `npm pack` makes them, used the way their users would:
 * - `tender` (widget/): the built element, its declarations and its custom elements manifest, no
 *   server code and nothing native; it installs into an empty project with `lit` as its only
 *   dependency, and its types check there.
 * - `@tender/server` (server/): compiled JavaScript in dist/ and the `tender` command; from the
 *   unpacked tarball, with only the dependencies its package.json names, plain `node` (no
 *   TypeScript loader) answers `--help`, migrates a database and serves the BFF and the widget.
 * Needs `npm run build` (test/run.mjs runs it first). The widget's install reads npm's cache first
 * (`--prefer-offline`): after `npm ci`, lit is there.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../free-port.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface Packed {
  filename: string;
  files: { path: string }[];
}

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  bin?: Record<string, string>;
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  assert.equal(result.status, 0, `${what} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** `npm pack` of one workspace into `dir`, without running its prepack build (already built). */
function pack(workspace: string, dir: string): Packed {
  const stdout = ok(
    spawnSync(npm, ['pack', '--workspace', workspace, '--pack-destination', dir, '--json', '--ignore-scripts'], {
      cwd: root,
      encoding: 'utf8',
    }),
    `npm pack --workspace ${workspace}`,
  );
  const [packed] = JSON.parse(stdout) as Packed[];
  assert.ok(packed, 'npm pack printed no package');
  return packed;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Every file below `dir`, as paths relative to it. */
function walk(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

const SERVER_DEPENDENCIES = ['better-sqlite3', 'pg', 'zod', 'hono', '@hono/node-server', 'qrcode', 'tsx', 'typescript'];

describe('the widget package (npm pack)', () => {
  let dir = '';
  let packed: Packed;
  before(() => {
    assert.ok(existsSync(join(root, 'widget/dist/tender.js')), 'the widget is not built: run `npm run build`');
    dir = mkdtempSync(join(tmpdir(), 'tender-pack-widget-'));
    packed = pack('widget', dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the built element, its declarations and manifest: no sources, no server code, nothing native', () => {
    const files = packed.files.map((file) => file.path).sort();
    for (const expected of [
      'package.json',
      'dist/tender.js',
      'dist/tender.iife.js',
      'dist/types/index.d.ts',
      'dist/types/wire.d.ts',
      'dist/custom-elements.json',
    ]) {
      assert.ok(files.includes(expected), `${expected} is missing from ${files.join(', ')}`);
    }
    for (const file of files) {
      assert.ok(file === 'package.json' || file.startsWith('dist/'), `${file} should not be in the tarball`);
      assert.ok(!/\.(ts|node)$/.test(file) || file.endsWith('.d.ts'), `${file}: a source or a native binary`);
      assert.ok(!/server|sandbox|sqlite|binding\.gyp/i.test(file), `${file}: server code`);
    }
    // The ES entry loads its languages as chunks: each one it names must be in the tarball.
    const entry = readFileSync(join(root, 'widget/dist/tender.js'), 'utf8');
    const chunks = [...entry.matchAll(/import\(["']\.\/([^"']+)["']\)/g)].map((match) => `dist/${match[1]}`);
    assert.ok(chunks.length > 0, 'no language chunks found in dist/tender.js');
    for (const chunk of chunks) assert.ok(files.includes(chunk), `${chunk} is missing from the tarball`);
    assert.ok(files.includes('dist/tender-locales/th.js'), 'the script-tag bundle’s languages are missing');
  });

  it('installs into an empty project with lit as its only dependency, and its types check there', () => {
    const project = join(dir, 'shop');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'shop', private: true, type: 'module' }));
    ok(
      spawnSync(
        npm,
        ['install', join(dir, packed.filename), '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
        { cwd: project, encoding: 'utf8' },
      ),
      'npm install of the widget tarball',
    );
    const manifest = readJson(join(project, 'node_modules/tender/package.json')) as Manifest;
    assert.deepEqual(Object.keys(manifest.dependencies ?? {}), ['lit']);
    assert.equal(manifest.optionalDependencies, undefined);
    assert.equal(manifest.peerDependencies, undefined);
    assert.equal(manifest.bin, undefined);
    assert.deepEqual(
      Object.keys(manifest.scripts ?? {}).filter((name) => /install|prepare/.test(name)),
      [],
      'no install scripts',
    );

    // What arrived: tender, lit and lit's own packages; nothing of the server, nothing built natively.
    const installed = readdirSync(join(project, 'node_modules'))
      .filter((name) => !name.startsWith('.'))
      .flatMap((name) =>
        name.startsWith('@') ? readdirSync(join(project, 'node_modules', name)).map((sub) => `${name}/${sub}`) : [name],
      )
      .sort();
    assert.ok(installed.includes('lit') && installed.includes('tender'), installed.join(', '));
    for (const name of installed) {
      assert.ok(
        [
          'tender',
          'lit',
          'lit-html',
          'lit-element',
          '@lit/reactive-element',
          '@lit-labs/ssr-dom-shim',
          '@types/trusted-types',
        ].includes(name),
        `${name} was installed with the widget`,
      );
      assert.ok(!SERVER_DEPENDENCIES.includes(name));
    }
    const native = installed.flatMap((name) =>
      walk(join(project, 'node_modules', name)).filter((file) => /\.node$|binding\.gyp$/.test(file)),
    );
    assert.deepEqual(native, []);

    // Node resolves every export to a file that exists, the way a bundler would.
    const resolved = ok(
      spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `for (const s of ['tender/widget', 'tender/tender.iife.js', 'tender/custom-elements.json']) console.log(import.meta.resolve(s));`,
        ],
        { cwd: project, encoding: 'utf8' },
      ),
      'resolving the exports',
    )
      .trim()
      .split('\n');
    assert.equal(resolved.length, 3);
    for (const url of resolved) assert.ok(existsSync(fileURLToPath(url)), `${url} does not exist`);

    // The manifest describes <tender-checkout> with its attributes and events.
    const cem = readJson(fileURLToPath(resolved[2]!)) as {
      modules: {
        declarations?: { tagName?: string; attributes?: { name: string }[]; events?: { name: string }[] }[];
      }[];
    };
    const element = cem.modules
      .flatMap((module) => module.declarations ?? [])
      .find((d) => d.tagName === 'tender-checkout');
    assert.ok(element, 'no <tender-checkout> in custom-elements.json');
    assert.ok(element.attributes?.some((attribute) => attribute.name === 'client-secret'));
    assert.ok(element.events?.some((event) => event.name === 'tender-succeeded'));

    // A strict NodeNext project type-checks against the installed declarations (and lit's).
    writeFileSync(
      join(project, 'main.ts'),
      `import { TenderCheckout, type TenderSucceededDetail } from 'tender/widget';
const el: TenderCheckout = document.createElement('tender-checkout');
el.session = 'cs_1';
// @ts-expect-error the session id is a string
el.session = 1;
el.addEventListener('tender-succeeded', (event) => {
  const detail: TenderSucceededDetail = event.detail;
  console.log(detail);
});
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022', 'DOM'],
          types: [],
          noEmit: true,
        },
        files: ['main.ts'],
      }),
    );
    const tsc = spawnSync(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.', '--pretty', 'false'],
      {
        cwd: project,
        encoding: 'utf8',
      },
    );
    assert.equal(tsc.stdout + tsc.stderr, '');
    assert.equal(tsc.status, 0);
  });
});

describe('the server package (npm pack)', () => {
  let dir = '';
  let packed: Packed;
  /** The unpacked tarball at node_modules/@tender/server of an otherwise empty project. */
  let project = '';
  let bin = '';
  before(() => {
    assert.ok(existsSync(join(root, 'server/dist/server/cli.js')), 'the server is not built: run `npm run build`');
    dir = mkdtempSync(join(tmpdir(), 'tender-pack-server-'));
    packed = pack('server', dir);
    project = join(dir, 'app');
    const unpacked = join(project, 'node_modules/@tender/server');
    mkdirSync(dirname(unpacked), { recursive: true });
    ok(spawnSync('tar', ['-xzf', join(dir, packed.filename), '-C', dir], { encoding: 'utf8' }), 'tar');
    renameSync(join(dir, 'package'), unpacked);
    // The dependencies its package.json names, and nothing else, linked from this repository's
    // install (better-sqlite3 is already compiled there): an undeclared import would fail.
    const manifest = readJson(join(unpacked, 'package.json')) as Manifest;
    for (const name of Object.keys(manifest.dependencies ?? {})) {
      const link = join(project, 'node_modules', name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(realpathSync(join(root, 'node_modules', name)), link, 'dir');
    }
    // What npm does for "bin": a link in node_modules/.bin, made executable.
    const target = join(unpacked, manifest.bin?.tender ?? 'missing-bin');
    bin = join(project, 'node_modules/.bin/tender');
    mkdirSync(dirname(bin), { recursive: true });
    symlinkSync(target, bin);
    if (existsSync(target)) chmodSync(target, 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds compiled JavaScript with declarations and the tender bin, not TypeScript sources', () => {
    const files = packed.files.map((file) => file.path);
    for (const expected of [
      'package.json',
      'dist/server/cli.js',
      'dist/server/main.js',
      'dist/server/index.js',
      'dist/server/index.d.ts',
      'dist/server/domain/webhooks.js',
    ]) {
      assert.ok(files.includes(expected), `${expected} is missing`);
    }
    for (const file of files) {
      assert.ok(file === 'package.json' || file.startsWith('dist/'), `${file} should not be in the tarball`);
      assert.ok(!file.endsWith('.ts') || file.endsWith('.d.ts'), `${file} is a TypeScript source`);
      assert.ok(!file.startsWith('dist/test/'), `${file} is a test`);
    }
    const manifest = readJson(join(project, 'node_modules/@tender/server/package.json')) as Manifest;
    assert.equal(manifest.bin?.tender, 'dist/server/cli.js');
    assert.ok(manifest.dependencies?.tender, 'it depends on the widget package (it serves /tender.js)');
    for (const name of ['tsx', 'typescript', 'vite']) assert.equal(manifest.dependencies?.[name], undefined, name);
  });

  it('`tender --help` and `tender --version` answer with plain node', () => {
    const help = ok(spawnSync(bin, ['--help'], { cwd: project, encoding: 'utf8' }), 'tender --help');
    for (const command of ['serve', 'sandbox', 'migrate']) assert.match(help, new RegExp(`^  ${command} `, 'm'));
    const version = ok(spawnSync(bin, ['--version'], { cwd: project, encoding: 'utf8' }), 'tender --version');
    assert.equal(version, `${(readJson(join(root, 'server/package.json')) as Manifest).version}\n`);
    const unknown = spawnSync(bin, ['deploy'], { cwd: project, encoding: 'utf8' });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command deploy/);
  });

  it('`tender migrate` creates the SQLite database and prints one line; a bad configuration exits 1', () => {
    const out = ok(spawnSync(bin, ['migrate'], { cwd: project, encoding: 'utf8' }), 'tender migrate');
    assert.equal(
      out,
      `tender migrate: sqlite:${join(realpathSync(project), 'data/tender.db')} is migrated and up to date\n`,
    );
    assert.ok(existsSync(join(project, 'data/tender.db')));
    // Twice is fine: nothing left to apply.
    ok(spawnSync(bin, ['migrate'], { cwd: project, encoding: 'utf8' }), 'tender migrate (again)');

    writeFileSync(join(project, 'bad.json'), JSON.stringify({ publicUrl: 'https://pay.shop.example' }));
    const bad = spawnSync(bin, ['migrate', '--config', 'bad.json'], { cwd: project, encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^tender migrate: configuration error: .*database/);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  });

  it('the package entry exports createApp, the config loader and the webhook check', () => {
    const script = `
      import * as server from '@tender/server';
      import { signWebhook, verifyWebhookSignature } from '@tender/server/webhooks';
      const names = ['createApp', 'createRuntime', 'loadConfig', 'parseConfig', 'startBff', 'verifyWebhookSignature'];
      const body = '{"type":"session.succeeded"}';
      const now = Date.now();
      const header = signWebhook(body, 'whsec_0123456789abcdef', Math.floor(now / 1000));
      console.log(JSON.stringify({
        functions: names.filter((name) => typeof server[name] === 'function'),
        sameCheck: server.verifyWebhookSignature === verifyWebhookSignature,
        good: verifyWebhookSignature(header, body, 'whsec_0123456789abcdef', { now }),
        tampered: verifyWebhookSignature(header, body + ' ', 'whsec_0123456789abcdef', { now }),
        sandbox: server.loadConfig({}).sandbox,
      }));`;
    const out = ok(
      spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' }),
      'importing @tender/server',
    );
    assert.deepEqual(JSON.parse(out), {
      functions: ['createApp', 'createRuntime', 'loadConfig', 'parseConfig', 'startBff', 'verifyWebhookSignature'],
      sameCheck: true,
      good: true,
      tampered: false,
      sandbox: true,
    });
  });

  it('`tender serve` runs the BFF and serves the widget bundle, and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(bin, ['serve'], {
      cwd: project,
      env: { ...process.env, PORT: String(port), TENDER_LOG: 'silent', TENDER_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const base = `http://127.0.0.1:${port}`;
      let health: Response | undefined;
      for (let i = 0; i < 100 && !health; i++) {
        health = await fetch(`${base}/healthz`).catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          return undefined;
        });
      }
      assert.ok(health, `the BFF did not answer: ${output}`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok' });
      const script = await fetch(`${base}/tender.js`);
      assert.equal(script.status, 200);
      assert.match(script.headers.get('content-type') ?? '', /javascript/);
      assert.equal(await script.text(), readFileSync(join(root, 'widget/dist/tender.iife.js'), 'utf8'));
      const thai = await fetch(`${base}/tender-locales/th.js`);
      assert.equal(thai.status, 200);
      assert.equal(await thai.text(), readFileSync(join(root, 'widget/dist/tender-locales/th.js'), 'utf8'));
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output);
  });
});
