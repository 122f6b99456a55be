/** Time as the server sees it. Everything that reads the time takes a `Clock`, so tests can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Whether the instant `iso` has come by the clock's time. */
export function isPast(clock: Clock, iso: string): boolean {
  return new Date(iso).getTime() <= clock.now().getTime();
}

export function nowIso(clock: Clock): string {
  return clock.now().toISOString();
}
