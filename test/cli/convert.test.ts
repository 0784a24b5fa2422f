import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readModelFile } from '../../src/engine/onnx/read';
import { runPatchlab } from '../helpers/cli';
import { fixture, tempDir } from '../helpers/paths';

describe('patchlab convert', () => {
  it('writes an ONNX model and reports its inputs, outputs and ops', () => {
    const out = join(tempDir(), 'atrous.onnx');
    const r = runPatchlab(['convert', fixture('tfjs/atrous/model.json'), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/input {3}image float32 \[\?,3,32,32\]/);
    expect(r.stdout).toMatch(/output {2}segmentation float32 \[\?,32,32,2\]/);
    const model = readModelFile(out);
    expect(model.graph.outputs.map((o) => o.name)).toEqual(['segmentation']);
  });

  it('cuts at --outputs given as TF node names, and --layout NHWC keeps the TF input layout', () => {
    const out = join(tempDir(), 'cut.onnx');
    const r = runPatchlab(['convert', fixture('tfjs/postprocess/model.json'), '--out', out, '--outputs', 'boxes,scores', '--layout', 'NHWC', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { inputs: { shape: number[] }[]; outputs: { name: string }[] };
    expect(report.inputs[0].shape).toEqual([1, 16, 16, 3]);
    expect(report.outputs.map((o) => o.name)).toEqual(['boxes', 'scores']);
  });

  it('fails in one line naming the unsupported ops, and writes nothing', () => {
    const out = join(tempDir(), 'nope.onnx');
    const r = runPatchlab(['convert', fixture('tfjs/postprocess/model.json'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('patchlab:'))).toHaveLength(1);
    expect(r.stderr).toContain('unsupported TF ops: NonMaxSuppressionV5 x1 (e.g. nms); Where x1 (e.g. positive)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it('rejects a malformed --inputs cut naming the flag', () => {
    const r = runPatchlab(['convert', fixture('tfjs/atrous/model.json'), '--out', join(tempDir(), 'x.onnx'), '--inputs', 'stem/Relu6']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--inputs: 'stem/Relu6' is not NAME=DIMS");
  });

  it('accepts a model.json path in models info and predict', () => {
    const env = { PATCHLAB_CACHE: tempDir() };
    const info = runPatchlab(['models', 'info', fixture('tfjs/atrous/model.json')], env);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toContain('producer   patchlab tfjs converter');
    expect(info.stderr).toContain('converting model from TF.js to ONNX (first use');
    const predict = runPatchlab(['predict', fixture('tfjs/atrous/model.json'), fixture('images/dog.jpg')], env);
    expect(predict.code, predict.stderr).toBe(0);
    expect(predict.stdout).toMatch(/segmentation \[1,32,32,2\] min/);
    expect(predict.stderr).not.toContain('converting');
  });
});
