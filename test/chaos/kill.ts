/**
 * kill -9 of the BFF at each step of a payment, a refund, a payout and a webhook delivery, then a
 * restart on the same database. The providers (simulators in this process) live on, as real ones
 * would. After every kill the flow is carried on from where the shopper or merchant would carry it
 * on, and at the end (once the reconciler, the refund and payout checks and the webhook retries have
 * had their time) nothing may be lost or doubled.
 */
import { join } from 'node:path';
import { openStore } from '../../server/store/index.ts';
import type { Store } from '../../server/store/store.ts';
import { BffProcess, eventually, Report, Simulators, sleep, WebhookReceiver } from './kit.ts';

interface SessionView {
  id: string;
  status: string;
  clientSecret: string;
  succeededAttemptId: string | null;
  attempts: Array<{ id: string; status: string; doublePayment: boolean; providerOrderId: string }>;
  refunds: Array<{ id: string; status: string; amount: string }>;
  amountRefunded: string;
}

/** A check made at the end, again and again until it holds or time runs out. */
interface Final {
  what: string;
  probe(): Promise<{ ok: boolean; seen: string }>;
}

/**
 * The kill steps. Resolves once every kill and restart is done, with `settle()`, which waits for the
 * background work the restarts left (first checks come a minute after a record is made) and checks
 * the end state.
 */
export async function killSection({ dir, sims }: { dir: string; sims: Simulators }) {
  const report = new Report('kill -9');
  const receiver = new WebhookReceiver();
  await receiver.start();
  const dbFile = join(dir, 'kill.db');
  const bff = new BffProcess({
    name: 'bff-kill',
    database: `sqlite:${dbFile}`,
    configPath: sims.writeConfig(dir, { webhooks: true }),
    webhookUrl: receiver.url,
  });
  await bff.start();
  const finals: Final[] = [];
  const paymentSessions: string[] = [];

  // ---- helpers ----

  async function newSession(currency: 'THB' | 'CAD', reference: string) {
    const created = await bff.merchant('/v1/sessions', {
      method: 'POST',
      body: JSON.stringify({
        amount: currency === 'THB' ? '300.00' : '25.00',
        currency,
        reference,
        customer: { email: 'chaos@example.com', phone: '66812345678' },
      }),
    });
    if (created.status !== 201) throw new Error(`session create: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body as SessionView;
  }

  let bankId: string | null = null;
  async function tapBody(session: SessionView): Promise<string> {
    if (!bankId) {
      const view = (await bff.browser(`/v1/checkout/${session.id}`, session.clientSecret)).body as {
        methods: Array<{ id: string; fields: Array<{ name: string; options?: Array<{ value: string }> }> }>;
      };
      const method = view.methods.find((each) => each.id === 'one1pay.thaiqr');
      bankId = method?.fields.find((field) => field.name === 'bankId')?.options?.[0]?.value ?? null;
      if (!bankId) throw new Error(`no One1Pay bank offered: ${JSON.stringify(view).slice(0, 300)}`);
    }
    return JSON.stringify({
      method: 'one1pay.thaiqr',
      fields: { bankId, holderName: 'Somchai Chaos', accountNumber: '1234567890' },
    });
  }

  /** The shopper taps Pay (One1Pay Thai QR). */
  async function tap(session: SessionView) {
    return bff.browser(`/v1/checkout/${session.id}/attempts`, session.clientSecret, {
      method: 'POST',
      body: await tapBody(session),
    });
  }

  const view = async (id: string) => (await bff.merchant(`/v1/sessions/${id}`)).body as SessionView;

  /** The shopper pays at One1Pay; the control waits for the callback's delivery (to a live BFF or not). */
  const payAtOne1Pay = (orderId: string, query = '') =>
    sims.control('one1pay', 'POST', `/_control/orders/${orderId}/pay${query}`);

  async function restart(step: string) {
    await bff.restart();
    report.check(`${step}: the BFF starts again on the same database`, bff.alive, `start #${bff.starts}`);
  }

  /** What every paid One1Pay session must show at the end. */
  function expectPaidOnce(label: string, sessionId: string) {
    paymentSessions.push(sessionId);
    finals.push({
      what: `${label}: the session is paid once — one succeeded attempt, no double payment, one One1Pay order`,
      async probe() {
        const session = await view(sessionId);
        const orders = sims
          .accepted('one1pay.order')
          .filter((call) => session.attempts.some((attempt) => attempt.providerOrderId === call.id));
        const succeeded = session.attempts.filter((attempt) => attempt.status === 'succeeded');
        const ok =
          session.status === 'succeeded' &&
          succeeded.length === 1 &&
          !session.attempts.some((attempt) => attempt.doublePayment) &&
          orders.length === 1;
        return {
          ok,
          seen: `status ${session.status}, attempts ${session.attempts.map((each) => each.status).join('/')}, provider orders ${orders.length}`,
        };
      },
    });
  }

  async function step(name: string, run: () => Promise<void>) {
    report.tried(name);
    try {
      await run();
    } catch (error) {
      report.crashed(name, error);
      if (!bff.alive) await bff.start().catch(() => undefined);
    }
  }

  // ---- a payment, killed at each step ----

  await step('payment: kill -9 right after the session is created', async () => {
    const session = await newSession('THB', 'kill-after-session');
    await bff.kill();
    await restart('after session create');
    const after = await view(session.id);
    report.check('the session is still there, open', after.status === 'open', after.status);
    const attempt = await tap(session);
    report.check('the shopper can pay it after the restart', attempt.status === 201, String(attempt.status));
    await payAtOne1Pay((attempt.body as { id: string }).id);
    expectPaidOnce('after session create', session.id);
  });

  await step('payment: kill -9 right after the attempt is created (the QR page was shown)', async () => {
    const session = await newSession('THB', 'kill-after-attempt');
    const first = await tap(session);
    if (first.status !== 201) throw new Error(`tap: ${first.status} ${JSON.stringify(first.body)}`);
    await bff.kill();
    await restart('after attempt create');
    const again = await tap(session);
    const firstId = (first.body as { id: string }).id;
    report.check(
      'the same tap after the restart gets the same attempt, not a second order',
      again.status === 201 && (again.body as { id: string }).id === firstId,
      `${again.status} ${(again.body as { id?: string }).id ?? ''}`,
    );
    await payAtOne1Pay(firstId);
    expectPaidOnce('after attempt create', session.id);
  });

  await step('payment: kill -9 while One1Pay is making the order (held by its delay switch)', async () => {
    const session = await newSession('THB', 'kill-mid-provider-call');
    const arrived = sims.gate('one1pay.order', 1500);
    const tapping = tap(session).catch((error: unknown) => error);
    await arrived;
    await bff.kill();
    const answer = await tapping;
    report.check('the shopper saw no answer (the BFF died mid-call)', answer instanceof Error, String(answer));
    await restart('mid provider call');
    // The provider made the order after the BFF died; the attempt was stored before the call.
    const made = await eventually(async () => {
      const session2 = await view(session.id);
      const order = session2.attempts[0]?.providerOrderId;
      return order && sims.accepted('one1pay.order', order).length === 1 ? order : undefined;
    }, 10_000);
    report.check('the attempt was stored before One1Pay was called, and One1Pay made its order', made !== undefined);
    if (made) {
      // Paid with its callback lost: only the reconciler can find out.
      const paid = await payAtOne1Pay(made, '?callback=none');
      report.check('the order is paid at One1Pay with its callback lost', paid.status === 200, String(paid.status));
    }
    expectPaidOnce('mid provider call (settled by the reconciler)', session.id);
  });

  await step('payment: kill -9 right after the provider callback was acknowledged', async () => {
    const session = await newSession('THB', 'kill-after-callback');
    const attempt = await tap(session);
    const orderId = (attempt.body as { id: string }).id;
    const paid = await payAtOne1Pay(orderId);
    const deliveries = (paid.body.callbacks ?? []) as Array<{ httpStatus: number | null }>;
    report.check(
      'the callback was delivered and acknowledged',
      deliveries.some((each) => each.httpStatus === 200),
      JSON.stringify(deliveries.map((each) => each.httpStatus)),
    );
    await bff.kill();
    await restart('after callback');
    report.check('the payment is still recorded', (await view(session.id)).status === 'succeeded');
    const again = await sims.control('one1pay', 'POST', `/_control/orders/${orderId}/callback`);
    report.check('a redelivered callback is acknowledged', again.status === 200, String(again.status));
    expectPaidOnce('after callback', session.id);
  });

  await step('payment: kill -9 while the BFF confirms a callback (its status query held)', async () => {
    const session = await newSession('THB', 'kill-mid-callback');
    const attempt = await tap(session);
    const orderId = (attempt.body as { id: string }).id;
    const arrived = sims.gate('one1pay.check', 1500);
    const paying = payAtOne1Pay(orderId);
    await arrived;
    await bff.kill();
    const paid = await paying;
    const deliveries = (paid.body.callbacks ?? []) as Array<{ httpStatus: number | null }>;
    report.check(
      'the callback was not acknowledged',
      !deliveries.some((each) => each.httpStatus === 200),
      JSON.stringify(deliveries.map((each) => each.httpStatus)),
    );
    await restart('mid callback');
    expectPaidOnce('mid callback (settled by the reconciler)', session.id);
  });

  await step('webhook: kill -9 while session.succeeded is being delivered (the merchant holds it)', async () => {
    const session = await newSession('THB', 'kill-mid-webhook');
    const attempt = await tap(session);
    const held = receiver.holdNext();
    await payAtOne1Pay((attempt.body as { id: string }).id);
    const arrived = await Promise.race([held.then(() => true), sleep(15_000).then(() => false)]);
    report.check('the delivery reached the merchant', arrived);
    await bff.kill();
    await restart('mid webhook delivery');
    expectPaidOnce('mid webhook delivery', session.id);
    finals.push({
      what: 'mid webhook delivery: the webhook is delivered again after the restart and marked delivered',
      async probe() {
        const webhooks = await withStore((store) => store.listWebhooks(session.id));
        const succeeded = webhooks.filter((each) => each.type === 'session.succeeded');
        const ok =
          succeeded.length === 1 && succeeded[0]!.deliveredAt !== null && receiver.count(succeeded[0]!.id) >= 2;
        return {
          ok,
          seen: `${succeeded.length} webhook(s), delivered ${succeeded[0]?.deliveredAt ? 'yes' : 'no'}, deliveries seen ${succeeded[0] ? receiver.count(succeeded[0].id) : 0}`,
        };
      },
    });
  });

  // ---- a refund (OTT Pay) ----

  await step('refund: kill -9 while OTT Pay is making the refund', async () => {
    const session = await newSession('CAD', 'kill-mid-refund');
    const attempt = await bff.browser(`/v1/checkout/${session.id}/attempts`, session.clientSecret, {
      method: 'POST',
      body: JSON.stringify({ method: 'ottpay.wechat', client: { device: 'desktop' } }),
    });
    const orderId = (attempt.body as { id: string }).id;
    await sims.control('ottpay', 'POST', `/_control/orders/${orderId}/pay`);
    const paid = await eventually(
      async () => ((await view(session.id)).status === 'succeeded' ? true : undefined),
      10_000,
    );
    if (!paid) throw new Error('the OTT Pay payment did not succeed');
    const refundBody = JSON.stringify({ amount: '25.00', reason: 'chaos' });
    const headers = { 'idempotency-key': `chaos-refund-${session.id}` };
    const arrived = sims.gate('ottpay.refund', 1500);
    const refunding = bff
      .merchant(`/v1/sessions/${session.id}/refunds`, { method: 'POST', body: refundBody, headers })
      .catch((error: unknown) => error);
    await arrived;
    await bff.kill();
    report.check('the merchant saw no answer', (await refunding) instanceof Error);
    await restart('mid refund');
    await sleep(1800); // the held REFUND reaches OTT Pay after the BFF died
    const retry = await bff.merchant(`/v1/sessions/${session.id}/refunds`, {
      method: 'POST',
      body: refundBody,
      headers,
    });
    const stored = (await view(session.id)).refunds;
    report.check(
      'the retried refund (same Idempotency-Key) is the stored one, not a second',
      (retry.status === 202 || retry.status === 201) &&
        stored.length === 1 &&
        (retry.body as { id?: string }).id === stored[0]!.id,
      `${retry.status}, ${stored.length} refund(s)`,
    );
    finals.push({
      what: 'mid refund: the refund settles as succeeded from OTT Pay, which made it once',
      async probe() {
        const after = await view(session.id);
        const record = (await sims.control('ottpay', 'GET', `/_control/orders/${orderId}`)).body as {
          refunds?: unknown[];
        };
        const atProvider = record.refunds?.length ?? -1;
        const ok =
          after.status === 'refunded' &&
          after.refunds.length === 1 &&
          after.refunds[0]!.status === 'succeeded' &&
          atProvider === 1;
        return {
          ok,
          seen: `session ${after.status}, refunds ${after.refunds.map((each) => each.status).join('/')}, at OTT Pay ${atProvider}`,
        };
      },
    });
  });

  // ---- a payout (One1Pay) ----

  await step('payout: kill -9 while One1Pay is making the withdrawal', async () => {
    const body = JSON.stringify({
      provider: 'one1pay',
      amount: '150.00',
      currency: 'THB',
      bankId: '102',
      holderName: 'Malee Chaos',
      accountNumber: '987-654-3210',
      reference: 'chaos-payout',
    });
    const headers = { 'idempotency-key': `chaos-payout-${Date.now()}` };
    const arrived = sims.gate('one1pay.payout', 1500);
    const paying = bff.merchant('/v1/payouts', { method: 'POST', body, headers }).catch((error: unknown) => error);
    await arrived;
    await bff.kill();
    report.check('the merchant saw no answer', (await paying) instanceof Error);
    await restart('mid payout');
    await sleep(1800);
    const retry = await bff.merchant('/v1/payouts', { method: 'POST', body, headers });
    const payoutId = (retry.body as { id?: string }).id ?? '';
    report.check(
      'the retried payout (same Idempotency-Key) is the stored one and is not sent again',
      retry.status === 201 && sims.accepted('one1pay.payout', payoutId).length === 1,
      `${retry.status} ${payoutId}, withdrawals at One1Pay ${sims.accepted('one1pay.payout', payoutId).length}`,
    );
    const completed = await sims.control('one1pay', 'POST', `/_control/withdrawals/${payoutId}/complete`);
    report.check('One1Pay completes the withdrawal', completed.status === 200, String(completed.status));
    finals.push({
      what: 'mid payout: the payout ends succeeded, sent to One1Pay once',
      async probe() {
        const payout = (await bff.merchant(`/v1/payouts/${payoutId}`)).body as { status?: string };
        const sent = sims.accepted('one1pay.payout', payoutId).length;
        const tries = sims.made.filter((call) => call.kind === 'one1pay.payout' && call.id === payoutId).length;
        return {
          ok: payout.status === 'succeeded' && sent === 1,
          seen: `${payout.status}, accepted ${sent} of ${tries} call(s)`,
        };
      },
    });
  });

  // ---- across everything ----

  finals.push({
    what: 'no One1Pay order exists that Tender has no attempt for (nothing lost)',
    async probe() {
      const known = new Set<string>();
      for (const id of paymentSessions)
        for (const attempt of (await view(id)).attempts) known.add(attempt.providerOrderId);
      // Orders this BFF asked for (the other sections share the simulators).
      const orphans = sims
        .accepted('one1pay.order')
        .filter((call) => call.from === bff.url && !known.has(call.id ?? ''));
      const mine = sims.accepted('one1pay.order').filter((call) => call.from === bff.url).length;
      return { ok: mine > 0 && orphans.length === 0, seen: `${mine} order(s), ${orphans.length} unknown` };
    },
  });
  finals.push({
    what: 'every webhook was delivered, each change has one webhook, every delivery was signed',
    async probe() {
      let total = 0;
      let undelivered = 0;
      let doubled = 0;
      for (const id of paymentSessions) {
        const webhooks = await withStore((store) => store.listWebhooks(id));
        total += webhooks.length;
        undelivered += webhooks.filter((each) => !each.deliveredAt).length;
        const types = webhooks.map((each) => each.type);
        doubled += types.length - new Set(types).size;
      }
      const unsigned = receiver.deliveries.filter((each) => !each.signed).length;
      return {
        ok: total >= paymentSessions.length && undelivered === 0 && doubled === 0 && unsigned === 0,
        seen: `${total} webhook(s), ${undelivered} undelivered, ${doubled} doubled, ${unsigned} unsigned`,
      };
    },
  });

  let store: Store | null = null;
  async function withStore<T>(read: (store: Store) => Promise<T>): Promise<T> {
    store ??= await openStore(`sqlite:${dbFile}`);
    return read(store);
  }

  return {
    report,
    /** Waits until every final check holds or `ms` pass, then records each. */
    async settle(ms: number) {
      report.tried(
        `waiting up to ${Math.round(ms / 1000)} s for the reconciler, refund and payout checks and webhook retries`,
      );
      const started = Date.now();
      let last: Array<{ ok: boolean; seen: string }> = [];
      await eventually(
        async () => {
          last = await Promise.all(
            finals.map((each) =>
              each.probe().catch((error: unknown) => ({
                ok: false,
                seen: error instanceof Error ? error.message : String(error),
              })),
            ),
          );
          return last.every((each) => each.ok) ? true : undefined;
        },
        ms,
        2000,
      );
      finals.forEach((each, index) => report.check(each.what, last[index]!.ok, last[index]!.seen));
      report.check('the BFF stayed up through it all', bff.alive);
      console.log(`[kill -9] settled in ${Math.round((Date.now() - started) / 1000)} s`);
      await store?.close();
      await bff.stop();
      await receiver.close();
    },
  };
}
