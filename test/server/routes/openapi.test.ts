/**
 * The API description: it covers every route the app registers, its examples fit the schemas the
 * routes validate with, real answers fit its response schemas, and `/docs` shows all of it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { z } from 'zod';
import { sandboxConfig } from '../../../server/config.ts';
import { silentLogger } from '../../../server/domain/log.ts';
import type { OpenApiDocument } from '../../../server/http/openapi.ts';
import * as schemas from '../../../server/http/schemas.ts';
import * as examples from '../../../server/routes/openapi-examples.ts';
import { DOCS_CSP, OPERATIONS, UNDOCUMENTED_ROUTES } from '../../../server/routes/openapi.ts';
import { createRuntime, type Runtime } from '../../../server/runtime.ts';
import { startTestBff, type TestBff } from '../harness.ts';

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** Parses `value` and checks nothing was dropped: the schema names every field the value has. */
function assertFits(schema: z.ZodType, value: unknown, what: string): void {
  const result = schema.safeParse(value);
  assert.ok(result.success, `${what}: ${result.success ? '' : JSON.stringify(result.error.issues)}`);
  assert.deepEqual(result.data, value, `${what}: fields the schema does not describe`);
}

const undocumented = (path: string) =>
  UNDOCUMENTED_ROUTES.some((pattern) =>
    pattern.endsWith('/*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern,
  );

describe('API description: coverage', () => {
  let dir: string;
  let runtime: Runtime;
  let doc: OpenApiDocument;

  before(async () => {
    // Sandbox mode, so the simulators are mounted too (and must be left out on purpose).
    dir = mkdtempSync(join(tmpdir(), 'tender-openapi-'));
    const config = sandboxConfig({ PORT: '18787', TENDER_DATABASE: `sqlite:${join(dir, 'tender.db')}` });
    runtime = await createRuntime(config, {
      log: silentLogger,
      fetch: async () => new Response(null, { status: 599 }),
    });
    doc = (await (await runtime.app.request('/openapi.json')).json()) as OpenApiDocument;
  });
  after(async () => {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('documents every route the app registers, and no route it does not', () => {
    const registered = new Set(
      runtime.app.routes
        .filter((route) => route.method !== 'ALL')
        .map(
          (route) =>
            // A parameter's pattern (`:file{tender\.[0-9a-f]{12}\.js}`) is described in its schema.
            `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)(?:\{(?:[^{}]|\{[^{}]*\})*\})?/g, '{$1}')}`,
        ),
    );
    assert.ok(
      [...registered].some((route) => route.startsWith('post /sandbox/')),
      'the simulators are mounted',
    );
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`)),
    );
    const missing = [...registered].filter((route) => !documented.has(route) && !undocumented(route.split(' ')[1]!));
    assert.deepEqual(missing, [], 'registered but not described');
    const stale = [...documented].filter((route) => !registered.has(route));
    assert.deepEqual(stale, [], 'described but not registered');
  });

  it('gives every operation a tag, its security, responses with content, and resolvable references', () => {
    const tags = new Set(doc.tags.map((tag) => tag.name));
    const schemes = new Set(Object.keys(doc.components.securitySchemes));
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const where = `${method} ${path}`;
        assert.ok(
          operation.tags.every((tag) => tags.has(tag)),
          where,
        );
        for (const requirement of operation.security) {
          for (const name of Object.keys(requirement)) assert.ok(schemes.has(name), `${where}: ${name}`);
        }
        for (const name of path.match(/\{(\w+)\}/g) ?? []) {
          assert.ok(
            operation.parameters.some((parameter) => parameter.in === 'path' && `{${parameter.name}}` === name),
            `${where}: path parameter ${name}`,
          );
        }
        assert.ok(
          Object.keys(operation.responses).some((status) => status.startsWith('2')),
          where,
        );
        for (const [status, response] of Object.entries(operation.responses)) {
          assert.ok(response.content && Object.keys(response.content).length === 1, `${where} ${status}`);
        }
      }
    }
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    assert.ok(refs.length > 0);
    for (const ref of refs) {
      const name = ref.slice('"$ref":"#/components/schemas/'.length, -1);
      assert.ok(ref.includes('#/components/schemas/') && doc.components.schemas[name], ref);
    }
    for (const name of [
      'Session',
      'StatusEvent',
      'CheckoutView',
      'Attempt',
      'AttemptView',
      'Refund',
      'Payout',
      'Balance',
      'Bank',
      'Error',
    ]) {
      const schema = doc.components.schemas[name]!;
      assert.ok(schema, name);
      assert.ok(schema.properties ?? schema.oneOf ?? schema.enum, `${name} says what it holds`);
    }
  });

  it('describes the three ways in: secret key, client secret, and none for verified provider callbacks', () => {
    assert.deepEqual(doc.components.securitySchemes.secretKey, {
      type: 'http',
      scheme: 'bearer',
      description: doc.components.securitySchemes.secretKey!.description,
    });
    assert.equal(doc.components.securitySchemes.clientSecret!.name, 'Tender-Client-Secret');
    assert.equal(doc.components.securitySchemes.clientSecretQuery!.in, 'query');
    assert.equal(doc.components.securitySchemes.clientSecretQuery!.name, 'secret');
    assert.deepEqual(doc.paths['/v1/sessions']!.post!.security, [{ secretKey: [] }]);
    assert.deepEqual(doc.paths['/v1/checkout/{id}/events']!.get!.security, [
      { clientSecret: [] },
      { clientSecretQuery: [] },
    ]);
    const notify = doc.paths['/v1/notify/{provider}']!.post!;
    assert.deepEqual(notify.security, []);
    assert.match(notify.description!, /verified/);
  });

  it('takes request schemas from the routes, as the caller sends them', () => {
    const create = doc.paths['/v1/sessions']!.post!.requestBody!.content['application/json']!.schema;
    assert.deepEqual(create.required, ['amount', 'currency', 'reference']);
    assert.equal(create.additionalProperties, false);
    const list = doc.paths['/v1/sessions']!.get!.parameters;
    assert.deepEqual(
      list.map((parameter) => [parameter.name, parameter.in, parameter.required, parameter.schema.default]),
      [
        ['limit', 'query', false, 20],
        ['before', 'query', false, undefined],
      ],
    );
    const idempotency = doc.paths['/v1/payouts']!.post!.parameters.find((each) => each.name === 'Idempotency-Key')!;
    assert.equal(idempotency.in, 'header');
    assert.equal(idempotency.schema.maxLength, 255);
  });
});

describe('API description: examples', () => {
  it('fit the schemas the routes validate with', () => {
    let checked = 0;
    for (const operation of OPERATIONS) {
      const where = `${operation.method} ${operation.path}`;
      if (operation.body?.schema) {
        const parsed = operation.body.schema.safeParse(operation.body.example);
        assert.ok(parsed.success, `${where} body: ${JSON.stringify(parsed.error?.issues)}`);
        checked++;
      }
      for (const response of operation.responses) {
        assert.notEqual(response.example, undefined, `${where} ${response.status} has an example`);
        if (response.schema) {
          assertFits(response.schema, response.example, `${where} ${response.status}`);
          checked++;
        }
      }
      for (const error of operation.errors ?? []) {
        assertFits(
          schemas.errorBody,
          { error: { code: error.code, message: error.message, requestId: 'req_x' } },
          where,
        );
        assert.ok((schemas.ERROR_CODES as readonly string[]).includes(error.code), `${where}: ${error.code}`);
      }
    }
    assert.ok(checked >= 15, `${checked} examples checked`);
  });

  it('give field examples that their own fields accept', () => {
    let checked = 0;
    for (const operation of OPERATIONS) {
      for (const object of [operation.params, operation.query, operation.headers, operation.body?.schema]) {
        const shape = (object as z.ZodObject | undefined)?.shape;
        for (const [name, field] of Object.entries(shape ?? {})) {
          for (const example of ((field as z.ZodType).meta()?.examples ?? []) as unknown[]) {
            assert.ok((field as z.ZodType).safeParse(example).success, `${operation.path} ${name}: ${String(example)}`);
            checked++;
          }
        }
      }
    }
    assert.ok(checked >= 10, `${checked} field examples checked`);
  });

  it('are refused when they break the schema (the check can fail)', () => {
    assert.equal(schemas.session.safeParse({ ...examples.sessionExample, amount: 25 }).success, false);
    assert.throws(() => assertFits(schemas.refund, { ...examples.refundExample, extra: true }, 'refund'));
  });
});

describe('API description: real answers fit the response schemas', () => {
  let bff: TestBff;
  before(async () => {
    bff = await startTestBff();
  });
  after(() => bff.close());

  it('session, checkout view, attempt, refund and list, made from the documented examples', async () => {
    const created = await bff.merchant(
      '/v1/sessions',
      json(examples.createSessionExample, { 'idempotency-key': 'doc-1' }),
    );
    assert.equal(created.status, 201);
    const session = (await created.json()) as { id: string; clientSecret: string };
    assertFits(schemas.session, session, 'POST /v1/sessions');

    const view = await bff.browser(`/v1/checkout/${session.id}`, session.clientSecret);
    assert.equal(view.status, 200);
    const checkoutView = await view.json();
    assertFits(schemas.checkoutView, checkoutView, 'GET /v1/checkout/{id}');
    assert.ok(checkoutView.methods.length > 0);

    const attempted = await bff.browser(
      `/v1/checkout/${session.id}/attempts`,
      session.clientSecret,
      json(examples.createAttemptExample),
    );
    assert.equal(attempted.status, 201);
    const attempt = await attempted.json();
    assertFits(schemas.attemptView, attempt, 'POST /v1/checkout/{id}/attempts');
    assert.equal(attempt.action.type, 'qr');
    assert.equal(typeof attempt.serverTime, 'string');

    const withAttempt = await (await bff.browser(`/v1/checkout/${session.id}`, session.clientSecret)).json();
    assertFits(schemas.checkoutView, withAttempt, 'GET /v1/checkout/{id} with an attempt');
    assert.equal(withAttempt.attempt.id, attempt.id);

    await bff.control('ottpay', attempt.id, 'pay');
    const refunded = await bff.merchant(`/v1/sessions/${session.id}/refunds`, json(examples.createRefundExample));
    assert.ok(refunded.status === 201 || refunded.status === 202, String(refunded.status));
    assertFits(schemas.refund, await refunded.json(), 'POST /v1/sessions/{id}/refunds');

    const read = await (await bff.merchant(`/v1/sessions/${session.id}`)).json();
    assertFits(schemas.session, read, 'GET /v1/sessions/{id}');
    assert.equal(read.attempts.length, 1);
    assert.equal(read.refunds.length, 1);

    assertFits(schemas.sessionList, await (await bff.merchant('/v1/sessions?limit=5')).json(), 'GET /v1/sessions');
  });

  it('treasury answers, made from the documented examples', async () => {
    assertFits(schemas.balanceList, await (await bff.merchant('/v1/balances?currency=THB')).json(), 'balances');
    const banks = await (await bff.merchant('/v1/banks?currency=THB')).json();
    assertFits(schemas.bankList, banks, 'banks');
    const created = await bff.merchant('/v1/payouts', json(examples.createPayoutExample));
    assert.equal(created.status, 201);
    const payout = await created.json();
    assertFits(schemas.payout, payout, 'POST /v1/payouts');
    assertFits(schemas.payout, await (await bff.merchant(`/v1/payouts/${payout.id}`)).json(), 'GET /v1/payouts/{id}');
  });

  it('errors, in the one error shape', async () => {
    const answers = [
      await bff.merchant('/v1/sessions/ses_unknown'),
      await bff.runtime.app.request('/v1/sessions'),
      await bff.merchant('/v1/sessions', json({ amount: 10 })),
      await bff.browser('/v1/checkout/ses_unknown', 'wrong'),
    ];
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [404, 401, 400, 401],
    );
    for (const answer of answers) assertFits(schemas.errorBody, await answer.json(), String(answer.status));
  });
});

describe('API description: /docs', () => {
  let bff: TestBff;
  before(async () => {
    bff = await startTestBff();
  });
  after(() => bff.close());

  it('renders every path, operation, parameter and schema from the document, with no script', async () => {
    const doc = (await (await bff.runtime.app.request('/openapi.json')).json()) as OpenApiDocument;
    const response = await bff.runtime.app.request('/docs');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(response.headers.get('content-security-policy'), DOCS_CSP);
    const page = await response.text();
    assert.doesNotMatch(page, /<script|\son\w+=|\sstyle=|javascript:/i);
    for (const reference of page.match(/\s(?:src|href)="[^"]*"/g) ?? []) {
      assert.match(reference, /="(?:#|\/(?!\/)|data:,)/, `only same-origin links: ${reference}`);
    }
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        assert.ok(page.includes(`id="${operation.operationId}"`), `${method} ${path}`);
        assert.ok(page.includes(`<code>${path.replace(/&/g, '&#38;')}</code>`), path);
        for (const parameter of operation.parameters) {
          assert.ok(page.includes(`<code>${parameter.name}</code>`), `${path} ${parameter.name}`);
        }
        for (const status of Object.keys(operation.responses)) {
          assert.ok(page.includes(`<span class="status">${status}</span>`), `${path} ${status}`);
        }
      }
    }
    for (const tag of doc.tags) assert.ok(page.includes(`id="tag-${tag.name}"`), tag.name);
    for (const name of Object.keys(doc.components.schemas)) assert.ok(page.includes(`id="schema-${name}"`), name);
    // Examples and field descriptions come through, escaped.
    assert.ok(page.includes('order-1042'));
    assert.ok(page.includes('&#34;clientSecret&#34;'));
    assert.ok(page.includes('Tender-Client-Secret'));

    const css = await bff.runtime.app.request('/docs.css');
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
  });
});
