import { UserError } from '../errors';
import type { Model } from '../onnx/ir';
import { createSession } from '../onnx/session';
import { writeModel } from '../onnx/write';
import type { FloatTensor, HostTensor } from '../tensor/tensor';
import { formatShape, int64Tensor } from '../tensor/tensor';
import { buildGradientGraph } from './gradient-graph';
import type { LossArgs, LossSpec } from './oracle';

export interface InputGradientOptions {
  /** The input to differentiate; the model's first non-initializer input by default. */
  input?: string;
  /** Seed: d(sum of per-sample losses) or d(their mean), as PyTorch's default reduction. */
  reduction?: 'sum' | 'mean';
  threads?: number;
  label?: string;
}

export interface InputGradient {
  grad: FloatTensor;
  loss: Float32Array;
  meanLoss: number;
}

/**
 * One gradient of a loss with respect to a model's own input (its layout and encoding, no
 * pixel space), for any batch size: builds the graph for this input's shape and runs it once.
 */
export async function inputGradient(model: Model, x: FloatTensor, loss: LossSpec, args: LossArgs, options: InputGradientOptions = {}): Promise<InputGradient> {
  const label = options.label ?? 'model';
  const graph = model.graph;
  const inputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  const input = inputs.find((i) => i.name === (options.input ?? inputs[0]?.name));
  if (!input) throw new UserError(`${label}: the model has no input named '${options.input}'`);
  const declared = input.shape ?? [];
  const fits = declared.length === x.dims.length && declared.every((d, i) => typeof d !== 'number' || d === x.dims[i]);
  if (!fits) throw new UserError(`${label}: input '${input.name}' expects shape ${formatShape(declared)}, the array is ${formatShape(x.dims)}`);
  const batch = x.dims[0];
  const g = await buildGradientGraph(model, { input: input.name, batch, inputShape: [...x.dims], loss, reduction: options.reduction, label });
  if (g.extraInputs.length > 0) throw new UserError(`${label}: the model also needs inputs ${g.extraInputs.map((i) => `'${i.name}'`).join(', ')}`);
  const feeds: Record<string, HostTensor> = { [g.input]: x };
  if (g.args.labels) {
    const labels = args.labels ?? [];
    if (labels.length !== batch) throw new UserError(`${label}: ${loss.kind} loss needs one label per sample (${batch}), got ${labels.length}`);
    const scores = 'output' in loss && loss.output ? g.shapes[loss.output] : undefined;
    const classes = scores ? scores.slice(1).reduce((a, b) => a * b, 1) : Infinity;
    const bad = labels.find((v) => v >= classes);
    if (bad !== undefined) throw new UserError(`${label}: label ${bad} is not a class index in [0, ${classes})`);
    feeds[g.args.labels] = int64Tensor([batch], labels);
  }
  const session = await createSession(writeModel(g.model), { threads: options.threads, label });
  try {
    const result = await session.run(feeds, [g.grad, g.loss, g.lossMean]);
    return { grad: result[g.grad] as FloatTensor, loss: result[g.loss].data as Float32Array, meanLoss: (result[g.lossMean].data as Float32Array)[0] };
  } finally {
    await session.release();
  }
}
