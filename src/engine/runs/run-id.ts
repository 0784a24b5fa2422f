import { randomBytes } from 'node:crypto';

/** Room the descriptive part may take, so the time and the random tail always fit in a 100-character id. */
const WHAT_MAX = 70;

/**
 * A run's folder name: what it is (attack, goal, class, model), when it started, and six random
 * hex digits, so long names never push the time out and two runs in the same second never share
 * a folder. Always a valid Slug (starts with a letter or digit, at most 100 characters).
 */
export function newRunId(parts: readonly (string | undefined)[], now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const what = parts
    .filter((p): p is string => Boolean(p))
    .join('-')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, WHAT_MAX);
  return `${what ? `${what}-` : ''}${stamp}-${randomBytes(3).toString('hex')}`;
}
