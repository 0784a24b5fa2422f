import { describe, expect, it } from 'vitest';
import { newRunId } from '../../../src/engine/runs/run-id';
import { Slug } from '../../../src/shared/bytes';

describe('run ids', () => {
  it('two runs with long names started in the same second get different, valid ids that keep their time', () => {
    const long = ['patch', 'impersonate', 'x'.repeat(80), 'my-very-long-imported-model-name-from-some-zoo'];
    const at = new Date('2026-12-07T10:41:07.123Z');
    const a = newRunId(long, at);
    const b = newRunId(long, at);
    expect(a).not.toBe(b);
    for (const id of [a, b]) {
      expect(Slug.safeParse(id).success).toBe(true);
      expect(id).toContain('20261207-104107');
      expect(id.startsWith('patch-impersonate-xxx')).toBe(true);
    }
  });

  it('short names read as before: what, then when', () => {
    expect(newRunId(['digital', 'pgd', undefined, 'emotion'], new Date('2026-01-02T03:04:05Z'))).toMatch(/^digital-pgd-emotion-20260102-030405-[0-9a-f]{6}$/);
  });

  it('characters outside the slug alphabet become underscores, and a name never starts with one that Slug refuses', () => {
    const id = newRunId(['.hidden', 'a b/c'], new Date('2026-01-02T03:04:05Z'));
    expect(Slug.safeParse(id).success).toBe(true);
    expect(id).toMatch(/^hidden-a_b_c-/);
  });
});
