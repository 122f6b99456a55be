/**
 * Values the widget tests and the BFF they run against share. Loaded in the browser (by the harness)
 * and in Node (by the test server), so it imports nothing.
 */

/** What every scripted QR code encodes: a version-1 code (21 modules) the tests can look into. */
export const QR_CONTENT = 'wallet:pay/3';

/**
 * The module path the BFF draws for `QR_CONTENT` (server/domain/qr.ts); the test server checks it
 * at start. Module (10, 2) is light and module (9, 9) dark, which the PNG test reads.
 */
export const QR_PATH =
  'M0 0h7v1H0zM10 0h1v1H10zM12 0h1v1H12zM14 0h7v1H14zM0 1h1v1H0zM6 1h1v1H6zM10 1h3v1H10zM14 1h1v1H14zM20 1h1v1H20zM0 2h1v1H0zM2 2h3v1H2zM6 2h1v1H6zM8 2h2v1H8zM12 2h1v1H12zM14 2h1v1H14zM16 2h3v1H16zM20 2h1v1H20zM0 3h1v1H0zM2 3h3v1H2zM6 3h1v1H6zM8 3h2v1H8zM12 3h1v1H12zM14 3h1v1H14zM16 3h3v1H16zM20 3h1v1H20zM0 4h1v1H0zM2 4h3v1H2zM6 4h1v1H6zM8 4h2v1H8zM11 4h2v1H11zM14 4h1v1H14zM16 4h3v1H16zM20 4h1v1H20zM0 5h1v1H0zM6 5h1v1H6zM8 5h1v1H8zM12 5h1v1H12zM14 5h1v1H14zM20 5h1v1H20zM0 6h7v1H0zM8 6h1v1H8zM10 6h1v1H10zM12 6h1v1H12zM14 6h7v1H14zM8 7h1v1H8zM11 7h2v1H11zM0 8h1v1H0zM2 8h5v1H2zM9 8h1v1H9zM12 8h1v1H12zM14 8h5v1H14zM0 9h1v1H0zM2 9h2v1H2zM5 9h1v1H5zM7 9h3v1H7zM12 9h1v1H12zM16 9h1v1H16zM18 9h1v1H18zM20 9h1v1H20zM0 10h2v1H0zM4 10h4v1H4zM9 10h3v1H9zM17 10h3v1H17zM3 11h1v1H3zM8 11h1v1H8zM10 11h1v1H10zM13 11h1v1H13zM15 11h6v1H15zM2 12h1v1H2zM5 12h3v1H5zM11 12h1v1H11zM14 12h3v1H14zM19 12h1v1H19zM8 13h3v1H8zM12 13h1v1H12zM16 13h2v1H16zM19 13h2v1H19zM0 14h7v1H0zM10 14h1v1H10zM12 14h2v1H12zM15 14h1v1H15zM18 14h2v1H18zM0 15h1v1H0zM6 15h1v1H6zM8 15h4v1H8zM13 15h1v1H13zM15 15h1v1H15zM17 15h2v1H17zM0 16h1v1H0zM2 16h3v1H2zM6 16h1v1H6zM8 16h3v1H8zM12 16h3v1H12zM19 16h2v1H19zM0 17h1v1H0zM2 17h3v1H2zM6 17h1v1H6zM8 17h4v1H8zM14 17h1v1H14zM16 17h2v1H16zM0 18h1v1H0zM2 18h3v1H2zM6 18h1v1H6zM8 18h3v1H8zM12 18h2v1H12zM18 18h1v1H18zM0 19h1v1H0zM6 19h1v1H6zM11 19h1v1H11zM17 19h2v1H17zM0 20h7v1H0zM8 20h1v1H8zM10 20h2v1H10zM14 20h1v1H14zM19 20h1v1H19z';

/** The BFF's heartbeat in the tests (what its `ready` event announces). */
export const HEARTBEAT_MS = 10_000;

/** Lifetime of a scripted QR code, counted from the (session's) server time. */
export const QR_TTL_MS = 15 * 60 * 1000;
