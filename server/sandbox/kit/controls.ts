/**
 * Test-control routes every simulator shares, under `/_control/` (JSON in, JSON out, no
 * credentials: this is a sandbox). Errors answer `{error}` with 400 (bad input), 404 (unknown order
 * or control) or 409 (an order that cannot change any more).
 *
 * Order controls (`mountOrderControls`), for an order kind mounted at e.g. `/_control/orders`:
 *   GET  /_control/orders/:id                    the record, with every callback delivery
 *   POST /_control/orders/:id/pay                the shopper pays (the callback is sent and awaited)
 *   POST /_control/orders/:id/decline            the payment fails; `fail` is the same control
 *   POST /_control/orders/:id/expire             the order expires
 *   POST /_control/orders/:id/callback           the genuine callback for the current state, again
 *   POST /_control/orders/:id/forged-callback    a callback that must not verify
 * plus whatever other commands a simulator adds.
 *
 * Switch controls (`mountSwitchControls`):
 *   GET|POST /_control/faults   {mode, delayMs?, count?, handled?}   see switches.ts
 *   GET|POST /_control/delay    {ms, count?}               hold API answers
 *   POST /_control/delay-next-response?ms=N               hold the next API answer N ms
 *   GET|POST /_control/callbacks {timeoutMs?, attempts?, backoffMs?, maxBackoffMs?}   the callback policy
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { CALLBACK_POLICY_LIMITS, type CallbackSender } from './callbacks.ts';
import { FAULT_MODES, type ApiSwitches } from './switches.ts';

/** Thrown by a control command: answered as `{error}` with its status. */
export class ControlError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export type OrderCommand<O> = (order: O, c: Context) => unknown;

/** The commands every simulator offers for its payments (a payout kind may name its own). */
export type StandardCommand = 'pay' | 'decline' | 'expire' | 'callback' | 'forged-callback';

export interface OrderControls<O> {
  /** Names the kind in messages and in a 409's body, e.g. "order" or "withdrawal". */
  noun: string;
  find(id: string): O | undefined;
  /** The JSON record a control answers with. */
  view(order: O): unknown;
  /**
   * Commands by name: the standard ones for payments, or others (e.g. "complete", "reject").
   * When `decline` is given and `fail` is not, `fail` does the same.
   */
  commands: Partial<Record<StandardCommand, OrderCommand<O>>> & Record<string, OrderCommand<O>>;
}

/**
 * Mounts `GET {path}/:id` and `POST {path}/:id/:command` (path e.g. "/_control/orders"). A command
 * returns nothing to answer with the record, or throws a `ControlError`.
 */
export function mountOrderControls<O>(app: Hono, path: string, controls: OrderControls<O>): void {
  const commands: Record<string, OrderCommand<O>> = { ...controls.commands };
  if (commands.decline && !commands.fail) commands.fail = commands.decline;
  app.get(`${path}/:id`, (c) => {
    const order = controls.find(c.req.param('id'));
    return order === undefined ? c.json({ error: `${controls.noun} not found` }, 404) : c.json(controls.view(order));
  });
  app.post(`${path}/:id/:command`, async (c) => {
    const order = controls.find(c.req.param('id'));
    if (order === undefined) return c.json({ error: `${controls.noun} not found` }, 404);
    const command = c.req.param('command');
    const run = Object.hasOwn(commands, command) ? commands[command] : undefined;
    if (!run) return c.json({ error: `unknown control "${command}"` }, 404);
    try {
      await run(order, c);
    } catch (error) {
      if (!(error instanceof ControlError)) throw error;
      return c.json({ error: error.message, [controls.noun]: controls.view(order) }, error.status);
    }
    return c.json(controls.view(order));
  });
}

/** `?callback=none`: settle the order but lose its callback, as a network might. */
export function callbackWanted(c: Context): boolean {
  return c.req.query('callback') !== 'none';
}

/** `?kind=` of a forged callback, one of `kinds` (the first is the default). */
export function forgeryKind<const K extends string>(c: Context, kinds: readonly [K, ...K[]]): K {
  const kind = c.req.query('kind') ?? kinds[0];
  if (!(kinds as readonly string[]).includes(kind)) throw new ControlError(400, `kind must be ${kinds.join(', ')}`);
  return kind as K;
}

/** Reads a control's JSON body against a schema; 400 with the first problem otherwise. */
export async function readControlBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ControlError(400, 'the body must be JSON');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ControlError(400, `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Runs a control handler, answering a `ControlError` as `{error}`. */
export function control(handler: (c: Context) => unknown): (c: Context) => Promise<Response> {
  return async (c) => {
    try {
      return c.json((await handler(c)) ?? {});
    } catch (error) {
      if (!(error instanceof ControlError)) throw error;
      return c.json({ error: error.message }, error.status);
    }
  };
}

const count = z.number().int().min(1).max(1000).optional();
const faultSchema = z.strictObject({
  mode: z.enum(FAULT_MODES),
  delayMs: z.number().int().min(1).max(30_000).optional(),
  count,
  handled: z.boolean().optional(),
});
const delaySchema = z.strictObject({ ms: z.number().int().min(0).max(30_000), count });
const policySchema = z.strictObject(
  Object.fromEntries(
    Object.entries(CALLBACK_POLICY_LIMITS).map(([name, { min, max }]) => [
      name,
      z.number().int().min(min).max(max).optional(),
    ]),
  ) as Record<keyof typeof CALLBACK_POLICY_LIMITS, z.ZodOptional<z.ZodNumber>>,
);

/** Mounts the fault, delay and callback-policy controls (see the file's comment). */
export function mountSwitchControls(app: Hono, switches: ApiSwitches, sender?: CallbackSender): void {
  app.get('/_control/faults', (c) => c.json(switches.fault));
  app.post(
    '/_control/faults',
    control(async (c) => switches.setFault(await readControlBody(c, faultSchema))),
  );
  app.get('/_control/delay', (c) => c.json(switches.delay));
  app.post(
    '/_control/delay',
    control(async (c) => switches.setDelay(await readControlBody(c, delaySchema))),
  );
  app.post(
    '/_control/delay-next-response',
    control((c) => {
      const ms = Number(c.req.query('ms') ?? '0');
      if (!Number.isInteger(ms) || ms < 0 || ms > 30_000) throw new ControlError(400, 'ms must be 0 to 30000');
      switches.setDelay({ ms, count: 1 });
      return { delayNextMs: ms };
    }),
  );
  if (!sender) return;
  app.get('/_control/callbacks', (c) => c.json(sender.policy));
  app.post(
    '/_control/callbacks',
    control(async (c) => {
      const change = await readControlBody(c, policySchema);
      return sender.configure(Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)));
    }),
  );
}
