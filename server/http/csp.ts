import { createHash } from 'node:crypto';

/** The CSP source that lets in one inline script or stylesheet whose text is exactly `text`. */
export function cspHashSource(text: string): string {
  return `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}
