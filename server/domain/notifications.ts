/**
 * The notification inbox: provider callbacks are verified, recorded (so redeliveries are recognised)
 * and then confirmed with the provider's own query before anything counts. A callback's claim is
 * never trusted. Payout callbacks are handed to the payouts, which live apart from sessions.
 */
import type { ProviderRegistry } from '../providers/index.ts';
import type { NotificationAck, NotificationInput, ProviderId, VerifiedNotification } from '../providers/provider.ts';
import type { Store } from '../store/store.ts';
import { nowIso, type Clock } from './clock.ts';
import { DomainError } from './errors.ts';
import type { Logger } from './log.ts';
import type { PaymentChecks } from './payment-checks.ts';
import { isAttemptLive } from './session.ts';

/** Handles a verified payout callback (confirming it with the provider). */
export type PayoutNotificationHandler = (provider: ProviderId, notification: VerifiedNotification) => Promise<void>;

export interface NotificationInboxDeps {
  store: Store;
  providers: ProviderRegistry;
  clock: Clock;
  log: Logger;
  checks: PaymentChecks;
  /** Asks the provider about a session's pending refunds (a refund callback is only a claim too). */
  onRefundNotification?: (sessionId: string) => Promise<void>;
  onPayoutNotification?: PayoutNotificationHandler;
}

export class NotificationInbox {
  constructor(private readonly deps: NotificationInboxDeps) {}

  /**
   * Takes in one callback and answers what the provider expects. Unknown providers and orders are
   * `not_found`, a callback that fails verification `invalid_notification`; a provider that cannot be
   * asked to confirm makes it an error too, so the provider sends the callback again.
   */
  async receive(providerId: string, input: NotificationInput): Promise<NotificationAck> {
    const { store, providers, clock, log, checks, onPayoutNotification } = this.deps;
    const provider = providers.get(providerId);
    if (!provider?.parseNotification) {
      throw new DomainError('not_found', `no provider "${providerId}" takes notifications here`);
    }
    let notification;
    try {
      notification = await provider.parseNotification(input);
    } catch (error) {
      log.warn('rejected provider notification', { provider: provider.id, error });
      throw new DomainError('invalid_notification', 'the notification could not be verified');
    }
    if (notification.authenticate) {
      // The callback names the provider's own payment id: it counts only for the order that id
      // stands for, and only if its signature covers that order's id.
      const byPayment =
        notification.kind === 'payment' && notification.providerPaymentId
          ? await store.findAttemptByPayment(provider.id, notification.providerPaymentId)
          : null;
      if (!byPayment || !notification.authenticate(byPayment.providerOrderId)) {
        log.warn('rejected provider notification', { provider: provider.id, reason: 'signature fits no order' });
        throw new DomainError('invalid_notification', 'the notification could not be verified');
      }
      notification = { ...notification, orderId: byPayment.providerOrderId };
    }
    const record = () =>
      store.recordNotification({
        provider: provider.id,
        dedupeKey: notification.dedupeKey,
        orderId: notification.orderId,
        body: input.rawBody,
        receivedAt: nowIso(clock),
      });
    if (notification.kind === 'payout') {
      await record();
      if (!onPayoutNotification) {
        log.warn('payout notification with no payout handler', {
          provider: provider.id,
          orderId: notification.orderId,
        });
        throw new DomainError('not_found', 'unknown order');
      }
      await onPayoutNotification(provider.id, notification);
      return notification.ack;
    }
    // Found before anything is written: a callback for no order of ours changes nothing.
    const attempt = await store.findAttemptByOrder(provider.id, notification.orderId);
    if (!attempt) {
      log.warn('notification for an unknown order', { provider: provider.id, orderId: notification.orderId });
      throw new DomainError('not_found', 'unknown order');
    }
    const fresh = await record();
    if (notification.kind === 'refund') {
      await this.deps.onRefundNotification?.(attempt.sessionId);
      return notification.ack;
    }
    if (!fresh && !isAttemptLive(attempt.status) && attempt.status !== 'expired') {
      return notification.ack; // a redelivery of news already applied changes nothing
    }
    await checks.reconcile(attempt, { throwIfUnavailable: true });
    return notification.ack;
  }
}
