/**
 * Keeps the face findable while eyeglass frames are optimised: a real recognition system only
 * compares faces its detector found, so frames that win by hiding the face lose in practice.
 * A second model (the face detector) joins the loss: per view, a hinge on its best face logit,
 * relu(margin − max logit), weighted and added to the goal's loss. The detector sees the same
 * rendered crop, resized to its input (bilinear, with the exact adjoint for the gradient).
 */
import type { GradientOracle, GradientResult } from '../autodiff/oracle';
import type { Objective } from '../attacks/objective';
import { argmaxChannel } from '../attacks/objective';
import type { AttackTarget } from '../attacks/target';
import { floatTensor, type FloatTensor } from '../tensor/tensor';

/** Logit the hinge aims for: sigmoid(2) = 0.88, comfortably above blazeface's 0.5 cut. */
export const DETECTABLE_MARGIN = 2;

/** The sampling taps of a bilinear resize (half-pixel centres), per output coordinate. */
function taps(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const f = new Float32Array(outSize);
  const k = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const s = Math.min(inSize - 1, Math.max(0, (o + 0.5) * k - 0.5));
    i0[o] = Math.floor(s);
    i1[o] = Math.min(inSize - 1, i0[o] + 1);
    f[o] = s - i0[o];
  }
  return { i0, i1, f };
}

/** NCHW bilinear resize; `adjoint` sends a gradient of the output back to the input. */
export function bilinearResize(input: FloatTensor, outH: number, outW: number): FloatTensor {
  const [n, c, h, w] = input.dims;
  const out = floatTensor([n, c, outH, outW]);
  const ty = taps(h, outH);
  const tx = taps(w, outW);
  for (let p = 0; p < n * c; p++) {
    const src = p * h * w;
    const dst = p * outH * outW;
    for (let y = 0; y < outH; y++) {
      const r0 = src + ty.i0[y] * w;
      const r1 = src + ty.i1[y] * w;
      const fy = ty.f[y];
      for (let x = 0; x < outW; x++) {
        const fx = tx.f[x];
        const a = (1 - fx) * input.data[r0 + tx.i0[x]] + fx * input.data[r0 + tx.i1[x]];
        const b = (1 - fx) * input.data[r1 + tx.i0[x]] + fx * input.data[r1 + tx.i1[x]];
        out.data[dst + y * outW + x] = (1 - fy) * a + fy * b;
      }
    }
  }
  return out;
}

export function bilinearResizeAdjoint(grad: FloatTensor, inH: number, inW: number): FloatTensor {
  const [n, c, outH, outW] = grad.dims;
  const out = floatTensor([n, c, inH, inW]);
  const ty = taps(inH, outH);
  const tx = taps(inW, outW);
  for (let p = 0; p < n * c; p++) {
    const src = p * outH * outW;
    const dst = p * inH * inW;
    for (let y = 0; y < outH; y++) {
      const r0 = dst + ty.i0[y] * inW;
      const r1 = dst + ty.i1[y] * inW;
      const fy = ty.f[y];
      for (let x = 0; x < outW; x++) {
        const g = grad.data[src + y * outW + x];
        const fx = tx.f[x];
        out.data[r0 + tx.i0[x]] += (1 - fy) * (1 - fx) * g;
        out.data[r0 + tx.i1[x]] += (1 - fy) * fx * g;
        out.data[r1 + tx.i0[x]] += fy * (1 - fx) * g;
        out.data[r1 + tx.i1[x]] += fy * fx * g;
      }
    }
  }
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
