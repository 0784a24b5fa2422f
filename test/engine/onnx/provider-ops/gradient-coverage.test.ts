import { describe, expect, it } from 'vitest';
import { attackGraphs } from '../../../../src/engine/attacks/physical/attack-graphs';
import { loadModel } from '../../../../src/engine/models/loaded';
import { cpuFallbacks } from '../../../../src/engine/onnx/provider-ops/fallback';
import { modelFixture } from '../../../helpers/paths';

// MobileNetV2 (width 0.25): stride-2 depthwise convs with pads 1 on even inputs, whose input
// gradients are strided ConvTransposes, and a gradient that sums over many branches.
describe('the gradient graph an attack builds, against the accelerators', () => {
  it('leaves no node of a MobileNetV2 gradient to the CPU on CUDA, and only the cross-entropy head on WebGPU', async () => {
    const { gradient } = await attackGraphs(await loadModel(modelFixture('mobilenet_v2_w025.onnx')));
    const ops = new Set(gradient.graph.nodes.map((n) => n.opType));
    expect(ops.has('ConvTranspose')).toBe(true);
    // Gradient sums are Adds: WebGPU and CoreML have no Sum kernel.
    expect(ops.has('Sum')).toBe(false);
    // Strided ConvTransposes carry symmetric pads, which CUDA keeps on the GPU.
    for (const n of gradient.graph.nodes.filter((m) => m.opType === 'ConvTranspose')) {
      const pads = n.attributes.pads?.value as number[];
      expect(pads.slice(0, pads.length / 2)).toEqual(pads.slice(pads.length / 2));
    }
    expect(cpuFallbacks(gradient, 'cuda').fallbacks).toEqual([]);
    expect(cpuFallbacks(gradient, 'webgpu').fallbacks.map((f) => f.opType)).toEqual(['LogSoftmax']);
  });
});
