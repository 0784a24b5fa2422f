import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendMetricsLine, readMetricsLines, readRunRecord, writeRunRecord } from '../../../src/engine/runs/record';
import { tempDir } from '../../helpers/paths';

describe('one run-record format (run.json + metrics.jsonl)', () => {
  it('writes run.json atomically with the time of writing and reads it back as written', () => {
    const dir = tempDir();
    writeRunRecord(dir, { kind: 'digital/pgd', created: '2026-01-01T00:00:00.000Z', status: 'done', config: { attack: 'pgd', model: 'm' }, summary: { successRate: 0.5 } });
    const r = readRunRecord(dir)!;
    expect(r).toMatchObject({ kind: 'digital/pgd', status: 'done', config: { attack: 'pgd', model: 'm' }, summary: { successRate: 0.5 } });
    expect(Date.parse(r.updated!)).toBeGreaterThan(Date.parse(r.created));
  });

  it('reads an older training run (train.json) in the same shape', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'train.json'), JSON.stringify({ kind: 'train', created: '2026-01-01T00:00:00.000Z', config: { arch: 'cnn', epochs: 2 } }));
    expect(readRunRecord(dir)).toMatchObject({ kind: 'train', created: '2026-01-01T00:00:00.000Z', config: { arch: 'cnn', epochs: 2 } });
  });

  it('reads an older digital run (results.json alone) in the same shape, its summary naming attack and model', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'results.json'), JSON.stringify({ summary: { attack: 'square', model: 'tinynet', successRate: 1 }, results: [] }));
    expect(readRunRecord(dir)).toMatchObject({ kind: 'digital/square', status: 'done', config: { attack: 'square', model: 'tinynet' }, summary: { successRate: 1 } });
  });

  it('says undefined for a folder with no run, and names the file of a torn record in one line', () => {
    expect(readRunRecord(tempDir())).toBeUndefined();
    const dir = tempDir();
    writeFileSync(join(dir, 'run.json'), '{"kind": "tra');
    expect(() => readRunRecord(dir)).toThrow(/run\.json: unreadable/);
  });

  it('metrics: one JSON object a line; a line torn by a kill is left out', () => {
    const file = join(tempDir(), 'metrics.jsonl');
    appendMetricsLine(file, { step: 1, loss: 2 });
    appendMetricsLine(file, { step: 2, loss: 1 });
    appendFileSync(file, '{"step": 3, "lo');
    expect(readMetricsLines(file)).toEqual([
      { step: 1, loss: 2 },
      { step: 2, loss: 1 },
    ]);
  });
});
