import { describe, expect, it } from 'vitest';
import { apiProtocols, takeToken } from '../../src/renderer/src/lib/api/ws';

function memoryStorage() {
  const map = new Map<string, string>();
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
}

describe('browser-mode token', () => {
  it('takes the token from the fragment, keeps it for the tab and wipes it from the address bar', () => {
    const storage = memoryStorage();
    const replaced: string[] = [];
    const history = { replaceState: (_d: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)) };
    expect(takeToken({ hash: '#token=abc_-1', pathname: '/', search: '' }, storage, history)).toBe('abc_-1');
    expect(replaced).toEqual(['/']);
    // A reload (no fragment any more) still finds it.
    expect(takeToken({ hash: '', pathname: '/', search: '' }, storage, history)).toBe('abc_-1');
    expect(replaced).toHaveLength(1);
  });

  it('never reads a token from the query string (servers and logs see queries)', () => {
    expect(takeToken({ hash: '', pathname: '/', search: '?token=leaked' }, memoryStorage())).toBe('');
  });

  it('offers the token as a WebSocket subprotocol beside the API name', () => {
    expect(apiProtocols('t0k')).toEqual(['patchlab', 'patchlab.token.t0k']);
  });
});
