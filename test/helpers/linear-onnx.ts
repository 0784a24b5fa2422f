import { join } from 'node:path';
import { createModel, emptyGraph } from '../../src/engine/onnx/ir';
import { floatConstant } from '../../src/engine/onnx/tensor-data';
import { writeModelFile } from '../../src/engine/onnx/write';
import type { LinearModel } from './linear-oracle';

/**
 * Writes a LinearModel as an ONNX classifier (NCHW RGB [0,1] input named `input`, Flatten,
 * Gemm, and Softmax/Sigmoid for probability outputs), so the normal predict path and a
 * TypeScript LinearOracle compute the same function.
 */
export function writeLinearOnnx(model: LinearModel, dir: string, name = 'linear.onnx'): string {
  const graph = emptyGraph('linear');
  const classes = model.weights.length;
  const size = 3 * model.width * model.height;
  const weights = new Float32Array(classes * size);
  model.weights.forEach((w, k) => weights.set(w, k * size));
  graph.initializers.set('W', floatConstant('W', [classes, size], weights));
  graph.initializers.set('b', floatConstant('b', [classes], model.bias));
  graph.inputs.push({ name: 'input', type: 'float32', shape: ['batch', 3, model.height, model.width] });
  graph.nodes.push({ name: 'flatten', opType: 'Flatten', domain: '', inputs: ['input'], outputs: ['flat'], attributes: { axis: { type: 'int', value: 1 } } });
  const logits = model.emits && model.emits !== 'logits' ? 'z' : 'scores';
  graph.nodes.push({ name: 'gemm', opType: 'Gemm', domain: '', inputs: ['flat', 'W', 'b'], outputs: [logits], attributes: { transB: { type: 'int', value: 1 } } });
  if (model.emits === 'probabilities') graph.nodes.push({ name: 'softmax', opType: 'Softmax', domain: '', inputs: ['z'], outputs: ['scores'], attributes: { axis: { type: 'int', value: 1 } } });
  if (model.emits === 'sigmoid1') graph.nodes.push({ name: 'sigmoid', opType: 'Sigmoid', domain: '', inputs: ['z'], outputs: ['scores'], attributes: {} });
  graph.outputs.push({ name: 'scores', type: 'float32', shape: ['batch', classes] });
  const path = join(dir, name);
  writeModelFile(createModel(graph, 13), path);
  return path;
}
