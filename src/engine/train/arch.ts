import { createModel, emptyGraph, type AttributeValue, type Graph, type Model } from '../onnx/ir';
import { floatConstant } from '../onnx/tensor-data';
import { Rng } from '../random';

/** The architectures `patchlab train --arch` builds: small nets for 28x28 grey images. */
export { ARCHITECTURES, type Architecture } from '../../shared/training';
import type { Architecture } from '../../shared/training';

/** The core graph's input: one grey channel in [0, 1]. The exported model takes RGB in front of it. */
export const GRAY_INPUT = 'gray';
export const LOGITS = 'logits';

export interface ArchOptions {
  classes: number;
  size: number;
  seed: number;
}

const ints = (value: number[]): AttributeValue => ({ type: 'ints', value });
const int = (value: number): AttributeValue => ({ type: 'int', value });

/** Appends nodes with readable names (conv1.weight, bn1.bias...), so checkpoints and errors name layers. */
class NetBuilder {
  readonly graph: Graph = emptyGraph('patchlab-net');
  private readonly rng: Rng;
  private count = 0;

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  private param(name: string, dims: number[], init: (i: number) => number): string {
    const n = dims.reduce((a, b) => a * b, 1);
    this.graph.initializers.set(name, floatConstant(name, dims, Array.from({ length: n }, (_, i) => init(i))));
    return name;
  }

  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, output?: string): string {
    const out = output ?? `${opType.toLowerCase()}_${++this.count}`;
    this.graph.nodes.push({ name: `${out}_node`, opType, domain: '', inputs, outputs: [out], attributes });
    return out;
  }

  /** Conv without bias (a BatchNorm follows), He-normal weights. */
  conv(x: string, name: string, cin: number, cout: number, k: number, stride = 1): string {
    const std = Math.sqrt(2 / (cin * k * k));
    const w = this.param(`${name}.weight`, [cout, cin, k, k], () => std * this.rng.normal());
    const pad = Math.floor(k / 2);
    return this.node('Conv', [x, w], { kernel_shape: ints([k, k]), strides: ints([stride, stride]), pads: ints([pad, pad, pad, pad]) }, `${name}.out`);
  }

  batchNorm(x: string, name: string, channels: number): string {
    const inputs = [
      this.param(`${name}.weight`, [channels], () => 1),
      this.param(`${name}.bias`, [channels], () => 0),
      this.param(`${name}.running_mean`, [channels], () => 0),
      this.param(`${name}.running_var`, [channels], () => 1),
    ];
    return this.node('BatchNormalization', [x, ...inputs], { epsilon: { type: 'float', value: 1e-5 }, momentum: { type: 'float', value: 0.9 } }, `${name}.out`);
  }

  linear(x: string, name: string, fin: number, fout: number, output?: string): string {
    const bound = 1 / Math.sqrt(fin);
    const w = this.param(`${name}.weight`, [fout, fin], () => Math.sqrt(2 / fin) * this.rng.normal());
    const b = this.param(`${name}.bias`, [fout], () => bound * this.rng.uniform(-1, 1));
    return this.node('Gemm', [x, w, b], { transB: int(1) }, output ?? `${name}.out`);
  }

  relu(x: string): string {
    return this.node('Relu', [x]);
  }

  maxPool(x: string): string {
    return this.node('MaxPool', [x], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) });
  }

  flatten(x: string): string {
    return this.node('Flatten', [x], { axis: int(1) });
  }
}

/** conv-bn-relu-pool x2, then two linear layers: ~92% on Fashion-MNIST in a few epochs. */
function smallCnn(b: NetBuilder, o: ArchOptions): string {
  let x = GRAY_INPUT;
  x = b.maxPool(b.relu(b.batchNorm(b.conv(x, 'conv1', 1, 32, 3), 'bn1', 32)));
  x = b.maxPool(b.relu(b.batchNorm(b.conv(x, 'conv2', 32, 64, 3), 'bn2', 64)));
  const side = Math.floor(Math.floor(o.size / 2) / 2);
  x = b.relu(b.linear(b.flatten(x), 'fc1', 64 * side * side, 128));
  return b.linear(x, 'fc2', 128, o.classes, LOGITS);
}

/** A pre-activation-free ResNet: a stem and three basic blocks (16, 32 /2, 64 /2), global average pool. */
function smallResNet(b: NetBuilder, o: ArchOptions): string {
  let x = b.relu(b.batchNorm(b.conv(GRAY_INPUT, 'stem', 1, 16, 3), 'stem_bn', 16));
  const block = (input: string, name: string, cin: number, cout: number, stride: number) => {
    let y = b.relu(b.batchNorm(b.conv(input, `${name}.conv1`, cin, cout, 3, stride), `${name}.bn1`, cout));
    y = b.batchNorm(b.conv(y, `${name}.conv2`, cout, cout, 3), `${name}.bn2`, cout);
    const shortcut = stride === 1 && cin === cout ? input : b.batchNorm(b.conv(input, `${name}.down`, cin, cout, 1, stride), `${name}.down_bn`, cout);
    return b.relu(b.node('Add', [y, shortcut]));
  };
  x = block(x, 'layer1', 16, 16, 1);
  x = block(x, 'layer2', 16, 32, 2);
  x = block(x, 'layer3', 32, 64, 2);
  x = b.flatten(b.node('GlobalAveragePool', [x]));
  return b.linear(x, 'fc', 64, o.classes, LOGITS);
}

/** The core network: input `gray` [N, 1, size, size] in [0, 1], output `logits` [N, classes]. Inference BatchNorm. */
export function buildArchitecture(arch: Architecture, options: ArchOptions): Model {
  const b = new NetBuilder(options.seed);
  b.graph.inputs.push({ name: GRAY_INPUT, type: 'float32', shape: ['batch', 1, options.size, options.size] });
  const logits = arch === 'cnn' ? smallCnn(b, options) : smallResNet(b, options);
  b.graph.outputs.push({ name: logits, type: 'float32', shape: ['batch', options.classes] });
  return createModel(b.graph, 17);
}
