import type { GradientOracle, GradientResult, LossArgs } from '../autodiff/oracle';
import { Rng } from '../random';
import { UserError } from '../errors';
import { floatTensor, type FloatTensor } from '../tensor/tensor';
import { transformsOf } from './build';
import type { DefenceSpec } from './parse';
import { applyChain } from './transform';

export interface OracleDefenceOptions {
  /** Draws averaged per call (EOT); 1 uses a single draw. */
  eot?: number;
  bpda?: boolean;
  seed?: number;
}

/**
 * The input-transform defences around any gradient oracle (any loss: detector heatmaps,
 * embeddings, classifiers), for physical attacks and `patchlab eval`. With `eot` > 1 each call
 * tiles the batch over independent draws and returns the mean loss, the mean gradient and
 * the mean of each output. Ensembles and the consistency detector need class scores and live
 * on ClassifierOracle instead (buildDefences).
 */
export function defendOracle(oracle: GradientOracle, specs: readonly DefenceSpec[], options: OracleDefenceOptions = {}): GradientOracle {
  const unsupported = specs.find((d) => d.kind === 'ensemble' || d.kind === 'consistency');
  if (unsupported) throw new UserError(`--defence ${unsupported.kind} works on classifiers only (attack/eval of a classifier model)`);
  const transforms = transformsOf(specs);
  const rng = new Rng(options.seed ?? 0);
  const draws = Math.max(1, options.eot ?? 1);
  const chain = { bpda: options.bpda ?? true };
  return {
    width: oracle.width,
    height: oracle.height,
    async forward(pixels) {
      const step = await applyChain(transforms, tile(pixels, draws), rng, chain);
      return meanOutputs(await oracle.forward(step.output), pixels.dims[0], draws);
    },
    async gradient(pixels, args?: LossArgs): Promise<GradientResult> {
      const n = pixels.dims[0];
      const step = await applyChain(transforms, tile(pixels, draws), rng, chain);
      const r = await oracle.gradient(step.output, args && tileArgs(args, n, draws));
      const grad = meanOver(step.backward(r.grad), n, draws);
      const loss = meanOver(floatTensor([n * draws], Float32Array.from(r.loss)), n, draws).data;
      return { loss, meanLoss: loss.reduce((a, v) => a + v, 0) / n, outputs: meanOutputs(r.outputs, n, draws), grad };
    },
    dispose: () => oracle.dispose(),
  };
}

/** `draws` copies of the batch, one after another. */
function tile(t: FloatTensor, draws: number): FloatTensor {
  if (draws === 1) return t;
  const out = new Float32Array(t.data.length * draws);
  for (let d = 0; d < draws; d++) out.set(t.data, d * t.data.length);
  return floatTensor([t.dims[0] * draws, ...t.dims.slice(1)], out);
}

/** Per-sample mean over the draws of a tiled batch. */
function meanOver(t: FloatTensor, n: number, draws: number): FloatTensor {
  if (draws === 1) return t;
  const per = t.data.length / (n * draws);
  const out = new Float32Array(n * per);
  for (let d = 0; d < draws; d++) for (let i = 0; i < n * per; i++) out[i] += t.data[d * n * per + i] / draws;
  return floatTensor([n, ...t.dims.slice(1)], out);
}

function meanOutputs(outputs: Record<string, FloatTensor>, n: number, draws: number): Record<string, FloatTensor> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, meanOver(v, n, draws)]));
}

function tileArgs(args: LossArgs, n: number, draws: number): LossArgs {
  if (draws === 1) return args;
  return {
    labels: args.labels && Array.from({ length: n * draws }, (_, i) => args.labels![i % n]),
    mask: args.mask && tile(args.mask, draws),
    vectors: args.vectors && tile(args.vectors, draws),
    target: args.target && tile(args.target, draws),
    outputGrads: args.outputGrads && Object.fromEntries(Object.entries(args.outputGrads).map(([k, v]) => [k, tile(v, draws)])),
  };
}
