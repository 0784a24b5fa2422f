import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A fresh secret per server run; the URL the server prints carries it. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase();
  return a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.');
}

/** The cookie that carries the token for requests the page makes without it (scripts, styles). Cookies ignore ports, so the name has it. */
export const tokenCookie = (port: number): string => `patchlab_token_${port}`;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** The token a request presents: `?token=`, the `x-patchlab-token` header, or the cookie. */
export function presentedToken(req: IncomingMessage, port: number): { token?: string; viaQuery: boolean } {
  const query = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('token');
  if (query) return { token: query, viaQuery: true };
  const header = req.headers['x-patchlab-token'];
  if (typeof header === 'string') return { token: header, viaQuery: false };
  return { token: cookieValue(req.headers.cookie, tokenCookie(port)), viaQuery: false };
}

export type Verdict = { ok: true; viaQuery: boolean } | { ok: false; status: 401 | 403; reason: string };

/**
 * Decides whether a request may reach the lab: it must come from this machine, name this
 * server as its host (DNS rebinding), come from our own page when a browser says where it comes
 * from, and carry the run's token.
 */
export function authorize(req: IncomingMessage, token: string, port: number): Verdict {
  if (!isLoopback(req.socket.remoteAddress)) return { ok: false, status: 403, reason: 'only connections from this machine are accepted' };
  const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  if (!allowedHosts.includes((req.headers.host ?? '').toLowerCase())) return { ok: false, status: 403, reason: 'unexpected Host header' };
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedHosts.some((h) => origin.toLowerCase() === `http://${h}`)) {
    return { ok: false, status: 403, reason: 'cross-origin requests are not accepted' };
  }
  const presented = presentedToken(req, port);
  if (!presented.token || !safeEqual(presented.token, token)) return { ok: false, status: 401, reason: 'missing or wrong token: open the URL patchlab serve printed' };
  return { ok: true, viaQuery: presented.viaQuery };
}
