import { describe, expect, it } from 'vitest';
import { runPatchlab, runPatchlabInProcess } from '../helpers/cli';
import { modelFixture } from '../helpers/paths';

interface OpsJson {
  model: string;
  graphs: {
    graph: string;
    nodes: number;
    ops: Record<string, number>;
    providers: { provider: string; nodes: number; folded: number; fallbacks: { opType: string; count: number; reason: string }[] }[];
  }[];
  tables: Record<string, { source: string; notes: string[] }>;
}

describe('patchlab models ops', () => {
  it('lists the forward and gradient graphs with every provider and the nodes each leaves to the CPU', async () => {
    const result = await runPatchlabInProcess(['models', 'ops', modelFixture('tinynet.onnx'), '--gradient', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as OpsJson;
    expect(report.graphs.map((g) => g.graph)).toEqual(['forward', 'gradient']);
    const [forward, gradient] = report.graphs;
    expect(Object.keys(forward.ops)).toEqual(expect.arrayContaining(['Conv', 'Relu', 'MaxPool', 'Gemm']));
    // The gradient graph holds the forward plus the backward: strictly more nodes.
    expect(gradient.nodes).toBeGreaterThan(forward.nodes);
    for (const g of report.graphs) {
      expect(Object.values(g.ops).reduce((a, b) => a + b, 0)).toBe(g.nodes);
      // CoreML twice: the NeuralNetwork format patchlab asks for, and MLProgram.
      expect(g.providers.map((p) => p.provider)).toEqual(['cuda', 'tensorrt', 'dml', 'coreml', 'coreml', 'webgpu']);
      expect(g.providers[4]).toMatchObject({ variant: 'MLProgram' });
      for (const p of g.providers) {
        expect(p.nodes + p.folded).toBe(g.nodes);
        for (const f of p.fallbacks) {
          // A fallback names an op of this graph, no more often than the graph has it.
          expect(g.ops[f.opType]).toBeGreaterThanOrEqual(f.count);
          expect(f.reason.length).toBeGreaterThan(0);
        }
      }
    }
    expect(Object.keys(report.tables)).toHaveLength(5);
  });

  it('--device narrows the report to one provider and names where its table was read', () => {
    const result = runPatchlab(['--device', 'cuda', 'models', 'ops', modelFixture('tinynet.onnx')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^tinynet: forward graph \(pixels to outputs\), opset 17, \d+ nodes/m);
    expect(result.stdout).toMatch(/^\s+cuda\s+/m);
    expect(result.stdout).not.toMatch(/^\s+(tensorrt|dml|coreml|webgpu)\s/m);
    expect(result.stdout).toMatch(/^cuda table: .*cuda_execution_provider\.cc/m);
  });

  it('an unknown device: one line, exit 1', async () => {
    const result = await runPatchlabInProcess(['--device', 'metal', 'models', 'ops', modelFixture('tinynet.onnx')]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^patchlab: --device: unknown device 'metal' \(one of auto, cpu, cuda/)]);
  });

  it('an unknown model: one line, exit 1', async () => {
    const result = await runPatchlabInProcess(['models', 'ops', 'no-such-model']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^patchlab: unknown model 'no-such-model'/)]);
  });
});
