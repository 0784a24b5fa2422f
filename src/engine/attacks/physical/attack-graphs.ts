import { buildGradientGraph } from '../../autodiff/gradient-graph';
import type { LossSpec } from '../../autodiff/oracle';
import { upgradeOpset } from '../../autodiff/opset';
import { pixelForwardModel } from '../../autodiff/pixel-space';
import type { LoadedModel } from '../../models/loaded';
import type { Model } from '../../onnx/ir';
import { targetFromModel } from './model-target';

export interface AttackGraphs {
  /** The model from pixels: what predict, the webcam and evaluation run. */
  forward: Model;
  /** Forward + loss + backward to the pixels: what one optimisation step runs. */
  gradient: Model;
  /** The loss the gradient graph differentiates, in words. */
  loss: string;
}

/** A graph and the name of its pixel input. */
export interface PixelGraph {
  model: Model;
  input: string;
}

/**
 * The gradient graph a patch attack on `model` hands onnxruntime: the hide loss on a detector's
 * heatmap (its first two channels), cross-entropy on a classifier's output otherwise.
 */
export async function attackGradientGraph(model: LoadedModel, batch = model.fixedBatch ?? 1): Promise<PixelGraph & { loss: string }> {
  const target = targetFromModel(model);
  const heatmap = target.outputs.heatmap;
  const ir = model.ir();
  const loss: LossSpec = heatmap
    ? { kind: 'max', output: heatmap, channels: [0, 1], axis: await target.classAxis(heatmap) }
    : { kind: 'ce', output: ir.graph.outputs[0].name };
  const graph = await buildGradientGraph(ir, {
    input: model.input.name,
    batch,
    loss,
    pixels: { encoding: model.encoding, height: model.height, width: model.width },
    label: model.label,
  });
  return { model: graph.model, input: graph.input, loss: heatmap ? `max of '${heatmap}' channels 0-1 (hide)` : `cross-entropy on '${loss.output}'` };
}

/** The graphs an attack on `model` hands onnxruntime: the forward pass and the gradient graph. */
export async function attackGraphs(model: LoadedModel, batch = model.fixedBatch ?? 1): Promise<AttackGraphs> {
  const gradient = await attackGradientGraph(model, batch);
  return { forward: forwardGraph(model).model, gradient: gradient.model, loss: gradient.loss };
}

/** The model as predict and the webcam run it: pixels in, at the gradient graphs' opset. */
export function forwardGraph(model: LoadedModel): PixelGraph {
  const forward = pixelForwardModel(upgradeOpset(model.ir(), model.label), model.input.name, model.encoding, model.height, model.width, []);
  return { model: forward.model, input: forward.input };
}
