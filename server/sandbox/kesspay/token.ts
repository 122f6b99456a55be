/**
 * KessPay's API token: an HS256 JWT (the document's example decodes to header
 * `{"typ":"JWT","alg":"HS256"}` and a payload starting `{"iss":"www.kesspay.com","aud":"w…`) that
 * "will expire in a minute". The simulator signs with a random secret of its own, so a token can
 * only have come from the simulator that checks it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_ISSUER = 'www.kesspay.com';

export type TokenCheck = { ok: true; subject: string } | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

export class TokenIssuer {
  readonly #secret = randomBytes(32);

  constructor(
    private readonly now: () => Date,
    private readonly ttlSeconds: number,
  ) {}

  issue(subject: string): string {
    const iat = Math.floor(this.now().getTime() / 1000);
    const header = encode({ typ: 'JWT', alg: 'HS256' });
    const payload = encode({
      iss: TOKEN_ISSUER,
      aud: TOKEN_ISSUER,
      sub: subject,
      iat,
      nbf: iat,
      exp: iat + this.ttlSeconds,
      jti: randomBytes(12).toString('hex'),
    });
    return `${header}.${payload}.${this.#sign(`${header}.${payload}`)}`;
  }

  /** Checks an `Authorization` header value: `Bearer <jwt>`, signed here, issued by KessPay, not expired. */
  check(authorization: string | undefined): TokenCheck {
    const match = /^Bearer +([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization?.trim() ?? '');
    if (!authorization) return { ok: false, reason: 'missing' };
    if (!match) return { ok: false, reason: 'invalid' };
    const [, header, payload, signature] = match as unknown as [string, string, string, string];
    const expected = Buffer.from(this.#sign(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'invalid' };
    let claims: { iss?: unknown; exp?: unknown; sub?: unknown };
    let alg: unknown;
    try {
      alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown }).alg;
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (alg !== 'HS256' || claims.iss !== TOKEN_ISSUER || typeof claims.exp !== 'number') {
      return { ok: false, reason: 'invalid' };
    }
    if (this.now().getTime() >= claims.exp * 1000) return { ok: false, reason: 'expired' };
    return { ok: true, subject: String(claims.sub) };
  }

  #sign(input: string): string {
    return createHmac('sha256', this.#secret).update(input).digest('base64url');
  }
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
