/**
 * Keeps the face findable while eyeglass frames are optimised: a real recognition system only
 * compares faces its detector found, so frames that win by hiding the face lose in practice.
 * A second model (the face detector) joins the loss: per view, a hinge on its best face logit,
 * relu(margin − max logit), weighted and added to the goal's loss. The detector sees the same
 * rendered crop, resized to its input (bilinear, with the exact adjoint for the gradient).
 */
import type { GradientOracle, GradientResult } from '../autodiff/oracle';
import type { Objective } from '../attacks/physical/objective';
import { argmaxChannel } from '../attacks/physical/objective';
import type { AttackTarget } from '../attacks/physical/target';
import { BilinearResampler } from '../image/resample';
import { floatTensor, type FloatTensor } from '../tensor/tensor';

/** Logit the hinge aims for: sigmoid(2) = 0.88, comfortably above blazeface's 0.5 cut. */
export const DETECTABLE_MARGIN = 2;

/** NCHW bilinear resize (half-pixel centres, edge-clamped) through the shared resampler. */
export function bilinearResize(input: FloatTensor, outH: number, outW: number): FloatTensor {
  const [n, c, h, w] = input.dims;
  const out = floatTensor([n, c, outH, outW]);
  const resampler = new BilinearResampler(w, h, outW, outH);
  for (let p = 0; p < n * c; p++) resampler.forward(input.data, p * h * w, out.data, p * outH * outW);
  return out;
}

/** Sends a gradient of bilinearResize's output back to its input (the resampler's exact adjoint). */
export function bilinearResizeAdjoint(grad: FloatTensor, inH: number, inW: number): FloatTensor {
  const [n, c, outH, outW] = grad.dims;
  const out = floatTensor([n, c, inH, inW]);
  const resampler = new BilinearResampler(inW, inH, outW, outH);
  for (let p = 0; p < n * c; p++) resampler.adjoint(grad.data, p * outH * outW, out.data, p * inH * inW);
  return out;
}

/** The detector's face-score outputs (blazeface: one logit per anchor, two strides). */
function scoreOutputs(detector: AttackTarget): string[] {
  const names = Object.entries(detector.outputs)
    .filter(([role]) => role.startsWith('logits') || role === 'heatmap')
    .map(([, name]) => name);
  if (names.length === 0) throw new Error(`${detector.name}: its manifest names no logits/heatmap attack output`);
  return names;
}

export interface DetectableOptions {
  weight: number;
  margin?: number;
}

/**
 * Wraps a goal's objective so each step also pushes the detector's best face logit on every view
 * up to the margin, and a view counts as a success only when the detector still finds the face
 * (best logit >= 0, sigmoid 0.5). The detector's oracle is made on the first step.
 */
export function keepDetectable(base: Objective, detector: AttackTarget, options: DetectableOptions): Objective {
  const margin = options.margin ?? DETECTABLE_MARGIN;
  const outputs = scoreOutputs(detector);
  let oracle: GradientOracle | undefined;
  let lastLogits: number[] = [];
  return {
    ...base,
    describe: `${base.describe} + ${options.weight} · relu(${margin} − best ${detector.name} face logit)`,
    success: (loss, scenes, out) => base.success(loss, scenes, out).map((ok, b) => ok && (lastLogits[b] ?? -Infinity) >= 0),
    async evaluate(main: GradientOracle, pixels: FloatTensor, scenes: readonly number[]): Promise<GradientResult> {
      const result = base.evaluate ? await base.evaluate(main, pixels, scenes) : await main.gradient(pixels, base.args(scenes));
      oracle ??= await detector.createOracle({ kind: 'vjp', outputs }, outputs);
      const [n, , h, w] = pixels.dims;
      const seen = bilinearResize(pixels, detector.height, detector.width);
      const scores = await oracle.forward(seen);
      const outGrads: Record<string, FloatTensor> = Object.fromEntries(outputs.map((o) => [o, floatTensor(scores[o].dims)]));
      lastLogits = [];
      let active = false;
      for (let b = 0; b < n; b++) {
        // Best face logit over every anchor of every score output.
        let best = { value: -Infinity, index: -1, output: outputs[0] };
        for (const o of outputs) {
          const m = argmaxChannel(scores[o], b, scores[o].dims.length - 1, 0);
          if (m.value > best.value) best = { ...m, output: o };
        }
        lastLogits.push(best.value);
        // d/d(logit) of weight · relu(margin − logit), in the minimised objective's direction.
        if (best.value < margin) {
          outGrads[best.output].data[best.index] = -options.weight;
          active = true;
        }
      }
      if (!active) return result;
      const det = await oracle.gradient(seen, { outputGrads: outGrads });
      const back = bilinearResizeAdjoint(det.grad, h, w);
      // physical.ts multiplies the gradient by the goal's sign; pre-multiplying cancels it for this term.
      const grad = floatTensor(result.grad.dims);
      for (let i = 0; i < grad.data.length; i++) grad.data[i] = result.grad.data[i] + base.sign * back.data[i];
      return { ...result, grad };
    },
    async dispose() {
      await oracle?.dispose();
      await base.dispose?.();
    },
  };
}
