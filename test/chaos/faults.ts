/**
 * A misbehaving provider, per adapter: the simulators' fault switches (the sandbox kit's: huge,
 * slow, nested, garbage, reset, hang, at /sandbox/<id>/_control/faults) on a BFF
 * started with the built-in sandbox configuration (`TENDER_CONFIG` unset, simulators mounted at
 * /sandbox/<id>). A payment attempt (a balance read for PayOtc365, which takes no payments) must be
 * answered quickly with a 502 or 503 in the one error shape, and the BFF must stay up. "Quickly" is
 * the provider time limit for each provider call the request waits on in turn (One1Pay asks for an
 * auth code before the order; a balance read waits for every provider), and a little more. All
 * adapters meet each fault at once.
 */
import { join } from 'node:path';
import { LIMITS } from '../../server/limits.ts';
import { BffProcess, isErrorShape, Report, SANDBOX_SECRET_KEY } from './kit.ts';

type Mode = 'huge' | 'slow' | 'nested' | 'garbage' | 'reset' | 'hang';
const MODES: readonly Mode[] = ['huge', 'nested', 'garbage', 'reset', 'slow', 'hang'];

/** The longest an answer may take when it waits on `calls` provider calls in turn. */
const quickMs = (calls: number) => calls * LIMITS.providerAnswerMs + 5_000;
const QUICK_MS = quickMs(2);

interface Adapter {
  id: string;
  /** The fault switch: path under /sandbox/<id> and the body for a mode (null = switch off). */
  fault(mode: Mode | null): { path: string; body: Record<string, unknown> };
  /** Prepares what the request needs (a session, card tokens) while the provider still behaves. */
  prepare(bff: BffProcess): Promise<() => ReturnType<BffProcess['request']>>;
  /** What a correct answer under a fault looks like. */
  expect: 'error' | 'balance-unavailable';
  /** Provider calls the request makes one after another (each has the provider time limit). */
  calls: number;
}

/** A pause between two 8-byte pieces of a slow answer: it cannot finish within the provider time limit. */
const SLOW_PIECE_MS = 2_000;

const kitFault = (id: string) => (mode: Mode | null) => ({
  path: `/sandbox/${id}/_control/faults`,
  body: mode === null ? { mode: 'none' } : mode === 'slow' ? { mode, delayMs: SLOW_PIECE_MS } : { mode },
});

async function session(bff: BffProcess, amount: string, currency: string, customer: Record<string, string> = {}) {
  const created = await bff.merchant(
    '/v1/sessions',
    { method: 'POST', body: JSON.stringify({ amount, currency, reference: `fault-${Date.now()}`, customer }) },
    SANDBOX_SECRET_KEY,
  );
  if (created.status !== 201) throw new Error(`session: ${created.status} ${JSON.stringify(created.body)}`);
  const body = created.body as { id: string; clientSecret: string };
  // The checkout view asks each provider what it offers while it still behaves (and fills caches).
  const view = await bff.browser(`/v1/checkout/${body.id}`, body.clientSecret);
  return {
    ...body,
    view: view.body as {
      methods: Array<{ id: string; fields: Array<{ name: string; options?: Array<{ value: string }> }> }>;
    },
  };
}

function attempt(bff: BffProcess, created: { id: string; clientSecret: string }, body: unknown) {
  return () =>
    bff.browser(`/v1/checkout/${created.id}/attempts`, created.clientSecret, {
      method: 'POST',
      body: JSON.stringify(body),
      timeoutMs: QUICK_MS + 15_000,
    });
}

const ADAPTERS: Adapter[] = [
  {
    id: 'ottpay',
    fault: kitFault('ottpay'),
    expect: 'error',
    calls: 1,
    async prepare(bff) {
      return attempt(bff, await session(bff, '25.00', 'CAD'), {
        method: 'ottpay.wechat',
        client: { device: 'desktop' },
      });
    },
  },
  {
    id: 'one1pay',
    fault: kitFault('one1pay'),
    expect: 'error',
    calls: 2, // auth, then generate_orders
    async prepare(bff) {
      const created = await session(bff, '300.00', 'THB', { email: 'chaos@example.com', phone: '66812345678' });
      const bankId = created.view.methods
        .find((method) => method.id === 'one1pay.thaiqr')
        ?.fields.find((field) => field.name === 'bankId')?.options?.[0]?.value;
      return attempt(bff, created, {
        method: 'one1pay.thaiqr',
        fields: { bankId, holderName: 'Somchai Chaos', accountNumber: '1234567890' },
      });
    },
  },
  {
    id: 'kesspay',
    fault: kitFault('kesspay'),
    expect: 'error',
    calls: 2, // get_token, then the payment
    async prepare(bff) {
      return attempt(bff, await session(bff, '12.50', 'USD'), {
        method: 'kesspay.wechat',
        client: { device: 'desktop' },
      });
    },
  },
  {
    id: 'sansan',
    fault: kitFault('sansan'),
    expect: 'error',
    calls: 1, // the first of its calls already fails
    async prepare(bff) {
      const created = await session(bff, '12.50', 'USD', {
        email: 'chaos@example.com',
        phone: '+14155550123',
        name: 'Ada Chaos',
      });
      const tokens = await bff.request('/sandbox/sansan/tokenizer/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ cardNumber: '4000000000000002', expiry: '12/39', cvc: '123', holder: 'Ada Chaos' }),
      });
      if (tokens.status !== 201) throw new Error(`tokenizer: ${tokens.status} ${JSON.stringify(tokens.body)}`);
      return attempt(bff, created, {
        method: 'sansan.card',
        fields: {
          ...(tokens.body as Record<string, string>),
          cardHolderName: 'Ada Chaos',
          address: '1 Chaos Road',
          city: 'Springfield',
          postcode: '62701',
          country: 'US',
        },
      });
    },
  },
  {
    id: 'payotc365',
    fault: kitFault('payotc365'),
    expect: 'balance-unavailable',
    calls: 2, // the read waits for every provider's balance (One1Pay's takes two calls)
    async prepare(bff) {
      return () => bff.merchant('/v1/balances?currency=USDT', { timeoutMs: QUICK_MS + 15_000 }, SANDBOX_SECRET_KEY);
    },
  },
];

export async function faultSection({ dir }: { dir: string }): Promise<Report> {
  const report = new Report('faults');
  const bff = new BffProcess({ name: 'bff-faults', database: `sqlite:${join(dir, 'faults.db')}` });
  report.tried('a BFF on the built-in sandbox configuration (TENDER_CONFIG unset)');
  try {
    await bff.start();
    report.check('it starts', bff.alive);
    for (const mode of MODES) {
      report.tried(`every provider answers "${mode}" (${ADAPTERS.map((adapter) => adapter.id).join(', ')})`);
      await Promise.all(
        ADAPTERS.map(async (adapter) => {
          try {
            const send = await adapter.prepare(bff);
            const on = adapter.fault(mode);
            const switched = await bff.request(on.path, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(on.body),
            });
            if (switched.status !== 200)
              throw new Error(`fault switch: ${switched.status} ${JSON.stringify(switched.body)}`);
            const answer = await send().finally(async () => {
              const off = adapter.fault(null);
              await bff
                .request(off.path, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json' },
                  body: JSON.stringify(off.body),
                })
                .catch(() => undefined);
            });
            judge(report, adapter, mode, answer);
          } catch (error) {
            report.crashed(`${adapter.id} ${mode}`, error);
          }
        }),
      );
      const health = await bff.request('/healthz').catch(() => null);
      report.check(`the BFF is up after "${mode}"`, bff.alive && health?.status === 200, bff.alive ? '' : bff.tail());
    }
  } catch (error) {
    report.crashed('the fault section', error);
  } finally {
    await bff.stop();
  }
  return report;
}

function judge(report: Report, adapter: Adapter, mode: Mode, answer: Awaited<ReturnType<BffProcess['request']>>) {
  const quick = answer.ms <= quickMs(adapter.calls);
  if (adapter.expect === 'balance-unavailable') {
    const entry = ((answer.body as { data?: Array<Record<string, unknown>> }).data ?? []).find(
      (each) => each.provider === adapter.id,
    );
    const error = entry?.error as { code?: string } | null | undefined;
    report.check(
      `${adapter.id} "${mode}": the balance is listed as unavailable with a provider error within ${quickMs(adapter.calls) / 1000} s`,
      answer.status === 200 &&
        entry?.available === false &&
        (error?.code === 'provider_unavailable' || error?.code === 'provider_error') &&
        quick,
      `${answer.status} ${error?.code ?? JSON.stringify(entry)} in ${answer.ms} ms`,
    );
    return;
  }
  const code = isErrorShape(answer.body) ? answer.body.error.code : null;
  report.check(
    `${adapter.id} "${mode}": a 502/503 in the one error shape within ${quickMs(adapter.calls) / 1000} s`,
    (answer.status === 502 || answer.status === 503) && code !== null && quick,
    `${answer.status} ${code ?? JSON.stringify(answer.body).slice(0, 120)} in ${answer.ms} ms`,
  );
}
