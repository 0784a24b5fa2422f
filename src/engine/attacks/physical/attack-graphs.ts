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

/**
 * The graphs an attack on `model` hands onnxruntime, built as a patch attack builds them: the
 * hide loss on a detector's heatmap (its first two channels, as scripts/profile-gradient.ts
 * measures it), cross-entropy on a classifier's output otherwise.
 */
export async function attackGraphs(model: LoadedModel, batch = model.fixedBatch ?? 1): Promise<AttackGraphs> {
  const target = targetFromModel(model);
  const heatmap = target.outputs.heatmap;
  const ir = model.ir();
  const loss: LossSpec = heatmap
    ? { kind: 'max', output: heatmap, channels: [0, 1], axis: await target.classAxis(heatmap) }
    : { kind: 'ce', output: ir.graph.outputs[0].name };
  const forward = forwardGraph(model);
  const graph = await buildGradientGraph(ir, {
    input: model.input.name,
    batch,
    loss,
    pixels: { encoding: model.encoding, height: model.height, width: model.width },
    label: model.label,
  });
  return { forward, gradient: graph.model, loss: heatmap ? `max of '${heatmap}' channels 0-1 (hide)` : `cross-entropy on '${loss.output}'` };
}

/** The model as predict and the webcam run it: pixels in, at the gradient graphs' opset. */
export function forwardGraph(model: LoadedModel): Model {
  return pixelForwardModel(upgradeOpset(model.ir(), model.label), model.input.name, model.encoding, model.height, model.width, []).model;
}
