import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A fresh secret per server run; the URL the server prints carries it in its fragment. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The header a non-browser client sends the token in. */
export const TOKEN_HEADER = 'x-patchlab-token';
/** The WebSocket subprotocol our page always offers; the server answers with it. */
export const API_PROTOCOL = 'patchlab';
/**
 * Browsers cannot set headers on a WebSocket, so the page offers the token as a second
 * subprotocol `patchlab.token.<token>` (base64url is a valid subprotocol token). Unlike a
 * cookie, it is sent only where our own script sends it.
 */
export const TOKEN_PROTOCOL_PREFIX = 'patchlab.token.';

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase();
  return a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The token a request presents: the `x-patchlab-token` header, or the `patchlab.token.*` WebSocket subprotocol. */
export function presentedToken(req: IncomingMessage): string | undefined {
  const header = headerValue(req.headers[TOKEN_HEADER]);
  if (header) return header;
  const protocols = headerValue(req.headers['sec-websocket-protocol']) ?? '';
  for (const p of protocols.split(',')) {
    const name = p.trim();
    if (name.startsWith(TOKEN_PROTOCOL_PREFIX)) return name.slice(TOKEN_PROTOCOL_PREFIX.length);
  }
  return undefined;
}

export type Verdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

/**
 * Decides whether a request may reach this server at all: it must come from this machine, name
 * this server as its host (DNS rebinding), and come from our own page when a browser says where
 * it comes from (`Origin: null` and other ports are refused). The static UI needs no more; the
 * API also needs the token (`authorizeApi`).
 */
export function authorizePeer(req: IncomingMessage, port: number): Verdict {
  if (!isLoopback(req.socket?.remoteAddress)) return { ok: false, status: 403, reason: 'only connections from this machine are accepted' };
  const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  const host = headerValue(req.headers.host) ?? '';
  if (!allowedHosts.includes(host.toLowerCase())) return { ok: false, status: 403, reason: 'unexpected Host header' };
  const origin = req.headers.origin;
  if (origin !== undefined && !(typeof origin === 'string' && allowedHosts.some((h) => origin.toLowerCase() === `http://${h}`))) {
    return { ok: false, status: 403, reason: 'cross-origin requests are not accepted' };
  }
  return { ok: true };
}

/** The API (the WebSocket): a local peer as above that also presents this run's token. */
export function authorizeApi(req: IncomingMessage, token: string, port: number): Verdict {
  const peer = authorizePeer(req, port);
  if (!peer.ok) return peer;
  const presented = presentedToken(req);
  if (!presented || !safeEqual(presented, token)) return { ok: false, status: 401, reason: 'missing or wrong token: open the URL patchlab serve printed' };
  return { ok: true };
}
