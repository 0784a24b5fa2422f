import { describe, expect, it } from 'vitest';
import { createModel, emptyGraph, type Graph, type Node } from '../../../src/engine/onnx/ir';
import { createSession } from '../../../src/engine/onnx/session';
import { floatConstant } from '../../../src/engine/onnx/tensor-data';
import { writeModel } from '../../../src/engine/onnx/write';
import { fuseHardActivations } from '../../../src/engine/tfjs/fuse-hard-activations';

const node = (name: string, opType: string, inputs: string[], outputs: string[]): Node => ({ name, opType, domain: '', inputs, outputs, attributes: {} });

/** MobileNetV3 as TF exports it: hard-swish x·c·relu6(x+3), then a hard-sigmoid gate relu6(y+3)·c multiplied in; c is the stored 1/6. */
function tfStyleGraph(sixth: number): Graph {
  const g = emptyGraph('hard');
  g.inputs = [{ name: 'x', type: 'float32', shape: [1, 64] }];
  for (const t of [floatConstant('three', [], [3]), floatConstant('zero', [], [0]), floatConstant('six', [], [6]), floatConstant('sixth', [], [sixth])]) g.initializers.set(t.name, t);
  g.nodes = [
    node('scaled', 'Mul', ['x', 'sixth'], ['xs']),
    node('add', 'Add', ['x', 'three'], ['a']),
    node('relu6', 'Clip', ['a', 'zero', 'six'], ['r']),
    node('swish', 'Mul', ['xs', 'r'], ['hs']),
    node('add2', 'Add', ['three', 'hs'], ['a2']),
    node('relu6b', 'Clip', ['a2', 'zero', 'six'], ['r2']),
    node('sigmoid', 'Mul', ['sixth', 'r2'], ['gate']),
    node('gated', 'Mul', ['hs', 'gate'], ['y']),
  ];
  g.outputs = [{ name: 'y' }, { name: 'hs' }];
  return g;
}

async function run(graph: Graph, x: Float32Array): Promise<Float32Array[]> {
  const session = await createSession(writeModel(createModel(graph, 17)), { threads: 1 });
  const out = await session.run({ x: { type: 'float32', dims: [1, 64], data: x } });
  await session.release();
  return [out.y.data as Float32Array, out.hs.data as Float32Array];
}

const x = Float32Array.from({ length: 64 }, (_, i) => (i - 32) / 4);
const used = (g: Graph) => g.nodes.map((n) => n.opType).sort();

describe('fusing TF-style hard-swish and hard-sigmoid chains', () => {
  it('turns exact 1/6 chains into one HardSwish and one HardSigmoid with the same outputs', async () => {
    const graph = tfStyleGraph(1 / 6);
    const before = await run(graph, x);
    expect(fuseHardActivations(graph)).toBe(2);
    const live = graph.nodes.filter((n) => ['hs', 'gate', 'y'].includes(n.outputs[0]));
    expect(live.map((n) => n.opType).sort()).toEqual(['HardSigmoid', 'HardSwish', 'Mul']);
    const after = await run(graph, x);
    after.forEach((out, k) => out.forEach((v, i) => expect(v).toBeCloseTo(before[k][i], 5)));
  });

  it('keeps float16-rounded 1/6 exact with a scale after the fused op', async () => {
    const graph = tfStyleGraph(0.1666259765625);
    const before = await run(graph, x);
    expect(fuseHardActivations(graph)).toBe(2);
    expect(used(graph)).toContain('HardSwish');
    const after = await run(graph, x);
    after.forEach((out, k) => out.forEach((v, i) => expect(Math.abs(v - before[k][i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(before[k][i])))));
  });

  it('leaves a relu6 chain with other constants alone', async () => {
    const graph = tfStyleGraph(0.2);
    expect(fuseHardActivations(graph)).toBe(0);
    expect(used(graph)).not.toContain('HardSwish');
  });
});
