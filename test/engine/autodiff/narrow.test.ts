import { describe, expect, it } from 'vitest';
import { buildGradientGraph } from '../../../src/engine/autodiff/gradient-graph';
import { narrowLossChannels } from '../../../src/engine/autodiff/narrow';
import type { LossSpec } from '../../../src/engine/autodiff/oracle';
import { createModel, emptyGraph, type Graph, type Node } from '../../../src/engine/onnx/ir';
import { createSession } from '../../../src/engine/onnx/session';
import { floatArray, floatConstant, int64Constant } from '../../../src/engine/onnx/tensor-data';
import { writeModel } from '../../../src/engine/onnx/write';

const node = (name: string, opType: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = {}): Node => ({ name, opType, domain: '', inputs, outputs, attributes });
const ints = (value: number[]) => ({ type: 'ints' as const, value });

function random(seed: number, n: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

/** A centernet-like head: conv features -> 5-class conv -> sigmoid -> NHWC heatmap, plus a sizes head reading the same features. */
function heatmapGraph(): Graph {
  const g = emptyGraph('heads');
  g.inputs = [{ name: 'x', type: 'float32', shape: ['N', 3, 6, 6] }];
  for (const t of [
    floatConstant('w0', [4, 3, 3, 3], random(1, 4 * 27)),
    floatConstant('b0', [4], random(2, 4)),
    floatConstant('w1', [5, 4, 1, 1], random(3, 20).map((v) => 4 * v)),
    floatConstant('b1', [5], random(4, 5)),
    floatConstant('w2', [2, 4, 1, 1], random(5, 8)),
  ])
    g.initializers.set(t.name, t);
  g.nodes = [
    node('features', 'Conv', ['x', 'w0', 'b0'], ['f'], { pads: ints([1, 1, 1, 1]) }),
    node('relu', 'Relu', ['f'], ['r']),
    node('classes', 'Conv', ['r', 'w1', 'b1'], ['c']),
    node('sigmoid', 'Sigmoid', ['c'], ['s']),
    node('nhwc', 'Transpose', ['s'], ['heatmap'], { perm: ints([0, 2, 3, 1]) }),
    node('sizes', 'Conv', ['r', 'w2'], ['wh']),
  ];
  g.outputs = [{ name: 'heatmap' }, { name: 'wh' }];
  return g;
}

async function gradientOf(graph: Graph, loss: LossSpec, outputs: string[], x: Float32Array): Promise<{ loss: number[]; grad: Float32Array; classWeights: number[] }> {
  const built = await buildGradientGraph(createModel(graph, 17), { batch: 2, loss, outputs });
  const session = await createSession(writeModel(built.model), { threads: 1 });
  const out = await session.run({ [built.input]: { type: 'float32', dims: built.inputShape, data: x } });
  await session.release();
  const classConv = built.model.graph.nodes.find((n) => n.name === 'classes');
  const classWeights = classConv ? built.model.graph.initializers.get(classConv.inputs[1])?.dims ?? [] : [];
  return { loss: Array.from(out[built.loss].data as Float32Array), grad: out[built.grad].data as Float32Array, classWeights: [...classWeights] };
}

describe('narrowing a loss to the channels it reads', () => {
  const loss: LossSpec = { kind: 'max', output: 'heatmap', channels: [3, 4], axis: 3 };

  it('gives the same per-sample loss and input gradient as the full 5-class head, computing one class', async () => {
    const x = random(9, 2 * 3 * 6 * 6);
    const narrowed = await gradientOf(heatmapGraph(), loss, [], x);
    // Returning the heatmap to the caller keeps all five classes.
    const full = await gradientOf(heatmapGraph(), loss, ['heatmap'], x);
    expect(narrowed.classWeights).toEqual([1, 4, 1, 1]);
    expect(full.classWeights).toEqual([5, 4, 1, 1]);
    narrowed.loss.forEach((v, i) => expect(v).toBeCloseTo(full.loss[i], 6));
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < x.length; i++) {
      scale = Math.max(scale, Math.abs(full.grad[i]));
      diff = Math.max(diff, Math.abs(full.grad[i] - narrowed.grad[i]));
    }
    expect(scale).toBeGreaterThan(1e-4);
    expect(diff / scale).toBeLessThan(1e-5);
  });

  it('re-indexes the loss and slices the conv rows; leaves graphs it cannot narrow alone', () => {
    const graph = heatmapGraph();
    const result = narrowLossChannels(graph, loss, []);
    expect(result.loss).toEqual({ ...loss, channels: [0, 1] });
    const conv = result.graph.nodes.find((n) => n.name === 'classes')!;
    const w = result.graph.initializers.get(conv.inputs[1])!;
    const b = result.graph.initializers.get(conv.inputs[2])!;
    expect(Array.from(floatArray(w))).toEqual(Array.from(random(3, 20).map((v) => 4 * v).slice(12, 16)));
    expect(b.dims).toEqual([1]);
    // The original graph is not modified.
    expect(graph.initializers.get('w1')!.dims).toEqual([5, 4, 1, 1]);

    // The sigmoid read by something else too (a decoder inside the graph): no narrowing.
    const shared = heatmapGraph();
    shared.nodes.push(node('peak', 'MaxPool', ['s'], ['p'], { kernel_shape: ints([3, 3]) }));
    expect(narrowLossChannels(shared, loss, []).graph).toBe(shared);
    // The loss's output itself read inside the graph.
    const read = heatmapGraph();
    read.nodes.push(node('reshape', 'Reshape', ['heatmap', 'shape'], ['flat']));
    read.initializers.set('shape', int64Constant('shape', [2], [2, -1]));
    expect(narrowLossChannels(read, loss, []).graph).toBe(read);
    // Losses over all channels, or masked sums, are left alone.
    expect(narrowLossChannels(graph, { kind: 'max', output: 'heatmap', axis: 3 }, []).graph).toBe(graph);
  });
});
