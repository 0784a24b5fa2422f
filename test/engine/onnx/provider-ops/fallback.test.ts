import { describe, expect, it } from 'vitest';
import { createModel, emptyGraph, type AttributeValue, type Graph, type Model, type Node } from '../../../../src/engine/onnx/ir';
import { cpuFallbacks, kernelMatches, schemaVersion } from '../../../../src/engine/onnx/provider-ops/fallback';
import type { Accelerator, KernelEntry } from '../../../../src/engine/onnx/provider-ops/table';
import { COREML_MLPROGRAM } from '../../../../src/engine/onnx/provider-ops/tables';
import { floatConstant } from '../../../../src/engine/onnx/tensor-data';
import type { DataType } from '../../../../src/engine/tensor/tensor';

function node(opType: string, inputs: string[], outputs: string[], attributes: Record<string, AttributeValue> = {}, domain = ''): Node {
  return { name: `${opType}_${outputs[0]}`, opType, domain, inputs, outputs, attributes };
}

/** x (float32 [1,4]) -> nodes -> the last node's first output. */
function graphOf(nodes: Node[], opset = 17, type: DataType = 'float32', extraImports: { domain: string; version: number }[] = []): Model {
  const graph: Graph = emptyGraph('test');
  graph.inputs.push({ name: 'x', type, shape: [1, 4] });
  graph.nodes.push(...nodes);
  graph.outputs.push({ name: nodes[nodes.length - 1].outputs[0] });
  const model = createModel(graph, opset);
  model.opsetImports.push(...extraImports);
  return model;
}

const ints = (value: number[]): AttributeValue => ({ type: 'ints', value });
const str = (value: string): AttributeValue => ({ type: 'string', value });

describe('cpuFallbacks: one supported and one unsupported op per provider', () => {
  // Relu runs on every accelerator; the second op is one its onnxruntime 1.30 table lacks.
  const missing: Record<Accelerator, { op: string; reason: RegExp }> = {
    cuda: { op: 'HannWindow', reason: /no cuda kernel/ },
    tensorrt: { op: 'HardSwish', reason: /tensorrt does not convert HardSwish/ },
    dml: { op: 'HardSwish', reason: /no dml kernel/ },
    coreml: { op: 'Sum', reason: /coreml does not convert Sum/ },
    webgpu: { op: 'Sum', reason: /no webgpu kernel/ },
  };
  for (const [provider, { op, reason }] of Object.entries(missing) as [Accelerator, (typeof missing)[Accelerator]][]) {
    it(provider, () => {
      const model = graphOf([node('Relu', ['x'], ['r']), node(op, ['r'], ['y'])]);
      const report = cpuFallbacks(model, provider);
      expect(report.nodes).toBe(2);
      expect(report.fallbacks).toHaveLength(1);
      expect(report.fallbacks[0]).toMatchObject({ opType: op, count: 1 });
      expect(report.fallbacks[0].reason).toMatch(reason);
    });
  }

  it('groups nodes by op type and reason, most first', () => {
    const model = graphOf([node('Sum', ['x', 'x'], ['a']), node('Sum', ['a', 'x'], ['b']), node('LogSoftmax', ['b'], ['y'])]);
    const report = cpuFallbacks(model, 'webgpu');
    expect(report.fallbacks.map((f) => [f.opType, f.count])).toEqual([
      ['Sum', 2],
      ['LogSoftmax', 1],
    ]);
  });
});

describe('opset ranges', () => {
  it('resolves a model opset to the op schema version in force', () => {
    expect(schemaVersion('', 'Conv', 17)).toBe(11);
    expect(schemaVersion('', 'Conv', 22)).toBe(22);
    expect(schemaVersion('', 'MaxPool', 21)).toBe(12);
    expect(schemaVersion('', 'Relu', 13)).toBe(13);
    expect(schemaVersion('com.microsoft', 'FusedConv', 1)).toBeUndefined();
  });

  it("matches kernels by onnxruntime's rule: an open-ended kernel only at its own start", () => {
    const open: KernelEntry = ['', 'MaxPool', 12, null];
    const closed: KernelEntry = ['', 'Conv', 11, 21];
    expect(kernelMatches(open, 12, 17)).toBe(true);
    expect(kernelMatches(open, 22, 22)).toBe(false);
    expect(kernelMatches(closed, 11, 17)).toBe(true);
    expect(kernelMatches(closed, 22, 22)).toBe(false);
    expect(kernelMatches(['', 'Relu', 13, 13], 14, 14)).toBe(false);
    // Unknown schema (a contrib op): the opset must fall in the range.
    expect(kernelMatches(['com.microsoft', 'FusedConv', 1, null], undefined, 1)).toBe(true);
    expect(kernelMatches(['x', 'Op', 2, 3], undefined, 1)).toBe(false);
  });

  it('a schema version the provider has not registered falls back, an older one does not', () => {
    const pool = (opset: number) => graphOf([node('MaxPool', ['x'], ['y'], { kernel_shape: ints([2, 2]) })], opset);
    // WebGPU registers MaxPool up to the opset-12 schema; opset 22 changed MaxPool's schema.
    expect(cpuFallbacks(pool(17), 'webgpu').fallbacks).toEqual([]);
    const at22 = cpuFallbacks(pool(22), 'webgpu').fallbacks;
    expect(at22).toHaveLength(1);
    expect(at22[0].reason).toMatch(/schema version 22 \(opset 22\)/);
    // CUDA registers the opset-22 Conv.
    expect(cpuFallbacks(graphOf([node('Conv', ['x', 'x'], ['y'])], 22), 'cuda').fallbacks).toEqual([]);
  });
});

describe('element types and per-node conditions', () => {
  it('a kernel that takes only float16/float32 leaves an int64 node to the CPU', () => {
    const sum = (type: DataType) => graphOf([node('Sum', ['x', 'x'], ['y'])], 17, type);
    expect(cpuFallbacks(sum('float32'), 'dml').fallbacks).toEqual([]);
    const int = cpuFallbacks(sum('int64'), 'dml').fallbacks;
    expect(int[0].reason).toMatch(/^int64 input not taken \(kernel types: float16, float32\)/);
  });

  it('a cast to a type patchlab does not name (float8) leaves the type unknown instead of failing', () => {
    const model = graphOf([node('Cast', ['x'], ['c'], { to: { type: 'int', value: 17 } }), node('Relu', ['c'], ['y'])]);
    expect(cpuFallbacks(model, 'cuda').fallbacks).toEqual([]);
  });

  it('CUDA leaves a ConvTranspose with asymmetric pads to the CPU', () => {
    const deconv = (pads: number[]) => graphOf([node('ConvTranspose', ['x', 'x'], ['y'], { strides: ints([2, 2]), pads: ints(pads) })]);
    expect(cpuFallbacks(deconv([1, 1, 1, 1]), 'cuda').fallbacks).toEqual([]);
    expect(cpuFallbacks(deconv([1, 1, 0, 0]), 'cuda').fallbacks[0].reason).toMatch(/symmetric padding/);
    const same = graphOf([node('ConvTranspose', ['x', 'x'], ['y'], { auto_pad: str('SAME_UPPER') })]);
    expect(cpuFallbacks(same, 'cuda').fallbacks).toHaveLength(1);
  });

  it('constant-input conditions see initializers and what folds from them, not fed values', () => {
    const conv = (weights: 'fed' | 'initializer' | 'folded') => {
      const nodes = weights === 'folded' ? [node('Transpose', ['w0'], ['w']), node('Conv', ['x', 'w'], ['y'])] : [node('Conv', ['x', weights === 'fed' ? 'x' : 'w'], ['y'])];
      const model = graphOf(nodes);
      model.graph.initializers.set(weights === 'folded' ? 'w0' : 'w', floatConstant(weights === 'folded' ? 'w0' : 'w', [1, 1, 1, 1], [1]));
      return model;
    };
    expect(cpuFallbacks(conv('fed'), 'coreml').fallbacks[0].reason).toBe('weights must be constant');
    expect(cpuFallbacks(conv('initializer'), 'coreml').fallbacks).toEqual([]);
    const folded = cpuFallbacks(conv('folded'), 'coreml');
    expect(folded.fallbacks).toEqual([]);
    expect(folded.folded).toBe(1);
    expect(folded.nodes).toBe(1);
  });

  it("CoreML converts ConvTranspose only in the MLProgram format, with constant weights and no output_padding", () => {
    const deconv = (outputPadding: number[]) => {
      const model = graphOf([node('ConvTranspose', ['x', 'w'], ['y'], { strides: ints([2, 2]), output_padding: ints(outputPadding) })]);
      model.graph.initializers.set('w', floatConstant('w', [1, 1, 1, 1], [1]));
      return model;
    };
    expect(cpuFallbacks(deconv([0, 0]), 'coreml').fallbacks[0].reason).toMatch(/does not convert ConvTranspose/);
    const ml = cpuFallbacks(deconv([0, 0]), 'coreml', COREML_MLPROGRAM);
    expect(ml).toMatchObject({ variant: 'MLProgram', fallbacks: [] });
    expect(cpuFallbacks(deconv([1, 1]), 'coreml', COREML_MLPROGRAM).fallbacks[0].reason).toBe('output_padding must have default values');
  });

  it('TensorRT refuses a MaxPool whose Indices output is used', () => {
    const withIndices = graphOf([node('MaxPool', ['x'], ['y', 'i'], { kernel_shape: ints([2, 2]) })]);
    const plain = graphOf([node('MaxPool', ['x'], ['y'], { kernel_shape: ints([2, 2]) })]);
    expect(cpuFallbacks(withIndices, 'tensorrt').fallbacks[0].reason).toMatch(/Indices/);
    expect(cpuFallbacks(plain, 'tensorrt').fallbacks).toEqual([]);
  });

  it('nodes in a domain the table does not list are reported as not covered', () => {
    const model = graphOf([node('Relu', ['x'], ['r']), node('FusedGemm', ['r', 'r'], ['y'], {}, 'com.microsoft')], 17, 'float32', [{ domain: 'com.microsoft', version: 1 }]);
    const report = cpuFallbacks(model, 'cuda');
    expect(report.fallbacks).toEqual([]);
    expect(report.uncovered).toEqual([{ domain: 'com.microsoft', opType: 'FusedGemm', count: 1, reason: 'the cuda table does not list the com.microsoft domain' }]);
  });
});
