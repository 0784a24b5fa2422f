import { describe, expect, it } from 'vitest';
import { buildGradientGraph } from '../../../src/engine/autodiff/gradient-graph';
import { GRADIENT_RULES } from '../../../src/engine/autodiff/rules';
import type { GradContext, RuleTable } from '../../../src/engine/autodiff/rules/types';
import { createModel, emptyGraph, type Node } from '../../../src/engine/onnx/ir';
import { readModelFile } from '../../../src/engine/onnx/read';
import { awayFrom, gradCheck, ints } from './gradcheck';
import { modelFixture } from '../../helpers/paths';

const node = (name: string, opType: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = {}): Node => ({ name, opType, domain: '', inputs, outputs, attributes });

describe('gradient builder', () => {
  it('sums the gradients of a value used more than once (x*x + relu(x), x feeding three paths)', async () => {
    const result = await gradCheck({
      op: 'Sum',
      inputs: [{ dims: [2, 3], sample: awayFrom([0]) }, { role: 'value', name: 'sq', dims: [] }, { role: 'value', name: 'r', dims: [] }],
      prelude: [node('sq', 'Mul', ['in0', 'in0'], ['sq']), node('r', 'Relu', ['in0'], ['r'])],
    });
    expect(result.ok, `max error ${result.maxError}`).toBe(true);
  });

  it('the finite-difference check rejects deliberately wrong rules', async () => {
    const wrong = (name: string, rule: (ctx: GradContext) => (string | undefined)[]): RuleTable => ({ ...GRADIENT_RULES, [name]: rule });
    // Relu passing the gradient everywhere.
    const relu = await gradCheck({ op: 'Relu', inputs: [{ dims: [2, 3, 4], sample: awayFrom([0]) }], rules: wrong('Relu', (ctx) => [ctx.dy[0]]) });
    expect(relu.ok).toBe(false);
    // HardSwish with the slope of x/6 + 1/2 (the forward's gate, not its derivative).
    const hardSwish = await gradCheck({
      op: 'HardSwish',
      inputs: [{ dims: [2, 3, 4], sample: awayFrom([-3, 3], 0.05, -5, 5) }],
      type: 'float32',
      rules: wrong('HardSwish', (ctx) => {
        const { emit } = ctx;
        const x = ctx.node.inputs[0];
        return [emit.mul(ctx.dy[0]!, emit.op('HardSigmoid', [x], { alpha: { type: 'float', value: 1 / 6 }, beta: { type: 'float', value: 0.5 } }))];
      }),
    });
    expect(hardSwish.ok).toBe(false);
    // Conv backward through ConvTranspose with the padding forgotten: off by one pixel.
    const conv = await gradCheck({
      op: 'Conv',
      inputs: [{ dims: [1, 2, 6, 6] }, { dims: [3, 2, 3, 3], role: 'const' }],
      attrs: { pads: ints([1, 1, 1, 1]) },
      type: 'float32',
      eps: 0.5,
      atol: 1e-3,
      rtol: 1e-4,
      rules: wrong('Conv', (ctx) => [ctx.emit.op('Slice', [ctx.emit.op('ConvTranspose', [ctx.dy[0]!, ctx.node.inputs[1]]), ctx.emit.int64s([0, 0]), ctx.emit.int64s([6, 6]), ctx.emit.int64s([2, 3])])]),
    });
    expect(conv.ok).toBe(false);
  });

  it('names every op type on the path that has no rule, once, with one node each', async () => {
    const graph = emptyGraph('unsupported');
    graph.inputs = [{ name: 'x', type: 'float32', shape: ['N', 4] }];
    graph.nodes = [
      node('norm_a', 'LpNormalization', ['x'], ['a']),
      node('norm_b', 'LpNormalization', ['a'], ['b']),
      node('det', 'Einsum', ['b', 'b'], ['c'], { equation: { type: 'string', value: 'ni,ni->ni' } }),
      node('relu', 'Relu', ['c'], ['logits']),
      // Off the path: no rule needed.
      node('shape', 'Shape', ['x'], ['s']),
    ];
    graph.outputs = [{ name: 'logits' }];
    const build = buildGradientGraph(createModel(graph, 17), { batch: 2, loss: { kind: 'ce' }, label: 'weird.onnx' });
    await expect(build).rejects.toThrow(/^weird\.onnx: no gradient rule for ops LpNormalization \(node 'norm_a'\), Einsum \(node 'det'\) on the path/);
  });

  it('lowers strided convolutions to phase Convs and stride-1 ones to flipped-weight Convs; ConvTranspose only for the 3-channel image gradient', async () => {
    const model = readModelFile(modelFixture('mobilenet_v2_w025.onnx'));
    const g = await buildGradientGraph(model, { batch: 1, loss: { kind: 'ce' }, lowering: { strided: 'phase', stridedDepthwise: 'phase' } });
    const ops = g.model.graph.nodes.map((n) => n.opType);
    expect(ops.filter((o) => o === 'ConvTranspose')).toHaveLength(1);
    expect(ops.filter((o) => o === 'DepthToSpace').length).toBeGreaterThanOrEqual(4);
    const legacy = await buildGradientGraph(model, { batch: 1, loss: { kind: 'ce' }, lowering: { strided: 'convtranspose', stridedDepthwise: 'convtranspose', stride1: 'convtranspose' } });
    expect(legacy.model.graph.nodes.filter((n) => n.opType === 'ConvTranspose').length).toBe(52);
  });
});
