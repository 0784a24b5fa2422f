/**
 * Several models in one loss (a patch trained on two detectors at once, as transfer papers do):
 * each further model sees the same rendered view, resized to its input (bilinear, with the exact
 * adjoint for the gradient), and its own objective for the same goal adds its loss and gradient
 * to the main one's. A view counts as a success only when every model's goal is met on it.
 */
import type { GradientOracle, GradientResult } from '../../autodiff/oracle';
import { bilinearResize, bilinearResizeAdjoint } from '../../faces/detectable';
import { floatTensor, type FloatTensor } from '../../tensor/tensor';
import type { Objective } from './objective';
import type { AttackTarget } from './target';

export interface EnsembleMember {
  target: AttackTarget;
  objective: Objective;
}

export function ensembleObjective(base: Objective, members: readonly EnsembleMember[]): Objective {
  if (members.length === 0) return base;
  const oracles: (GradientOracle | undefined)[] = members.map(() => undefined);
  let baseLoss: Float32Array = new Float32Array(0);
  let baseOutputs: Record<string, FloatTensor> = {};
  let memberSuccess: boolean[][] = [];
  return {
    ...base,
    describe: [base.describe, ...members.map((m) => `${m.target.name}: ${m.objective.describe}`)].join(' + '),
    success: (_loss, scenes) => base.success(baseLoss, scenes, baseOutputs).map((ok, b) => ok && memberSuccess.every((s) => s[b])),
    async evaluate(main: GradientOracle, pixels: FloatTensor, scenes: readonly number[]): Promise<GradientResult> {
      const result = base.evaluate ? await base.evaluate(main, pixels, scenes) : await main.gradient(pixels, base.args(scenes));
      baseLoss = result.loss;
      baseOutputs = result.outputs;
      const [n, , h, w] = pixels.dims;
      const loss = Float32Array.from(result.loss, (v) => base.sign * v);
      const grad = floatTensor(result.grad.dims);
      grad.data.set(result.grad.data);
      memberSuccess = [];
      for (const [i, m] of members.entries()) {
        const o = m.objective;
        const oracle = (oracles[i] ??= await m.target.createOracle(o.loss, o.outputs));
        const seen = m.target.width === w && m.target.height === h ? pixels : bilinearResize(pixels, m.target.height, m.target.width);
        const r = o.evaluate ? await o.evaluate(oracle, seen, scenes) : await oracle.gradient(seen, o.args(scenes));
        memberSuccess.push(o.success(r.loss, scenes, r.outputs));
        const back = seen === pixels ? r.grad : bilinearResizeAdjoint(r.grad, h, w);
        // physical.ts multiplies the gradient by the main objective's sign; each member keeps its own direction.
        const scale = o.sign * base.sign;
        for (let k = 0; k < grad.data.length; k++) grad.data[k] += scale * back.data[k];
        for (let b = 0; b < n; b++) loss[b] += o.sign * r.loss[b];
      }
      // The summed loss is in the minimised direction; report it in the main objective's.
      for (let b = 0; b < n; b++) loss[b] *= base.sign;
      return { ...result, loss, meanLoss: loss.reduce((a, v) => a + v, 0) / n, grad };
    },
    async dispose() {
      for (const o of oracles) await o?.dispose();
      for (const m of members) await m.objective.dispose?.();
      await base.dispose?.();
    },
  };
}
