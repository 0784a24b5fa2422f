import { createGradientOracle } from '../../autodiff/gradient-oracle';
import type { LossSpec } from '../../autodiff/oracle';
import { UserError } from '../../errors';
import { matchThreshold } from '../../faces/calibration-store';
import type { PixelEncoding } from '../../image/tensorize';
import { rowProbabilities, topK } from '../../models/classifier';
import { getDecoder, RANKING_OPTIONS } from '../../models/decoders/index';
import { scoreLayout } from '../../models/decoders/layout';
import type { LoadedModel } from '../../models/loaded';
import type { FloatTensor, HostTensor } from '../../tensor/tensor';
import { chunkedOracle } from './chunked-oracle';
import type { AttackTarget, TargetPrediction, TargetTask } from './target';

/** Wraps a loaded zoo/user model as the target of a physical attack. */
export function targetFromModel(model: LoadedModel): AttackTarget {
  const head = model.head;
  const task: TargetTask = head.kind === 'detector' ? 'detector' : head.kind === 'embedding' ? 'embedding' : 'classifier';
  const roles = { ...(model.manifest.attack?.outputs ?? {}) };
  // Detector heads without attack roles (imports, bare files) attack the outputs their decoder reads.
  if (head.kind === 'detector' && Object.keys(roles).length === 0) Object.assign(roles, head.outputs);
  if (head.kind === 'embedding' && head.output && !roles.embedding) roles.embedding = head.output;
  if (head.kind === 'classifier' && head.output && !roles.logits) roles.logits = head.output;
  // Face descriptors: the calibrated FMR-1% threshold where `patchlab faces calibrate` measured one.
  const threshold = task === 'embedding' ? matchThreshold(model.hash, head.kind === 'embedding' ? (head.threshold ?? 0.5) : 0.5) : Number((head.kind === 'detector' && (head.options.minScore ?? head.options.threshold)) || 0.3);
  return {
    name: model.name,
    hash: model.hash,
    width: model.width,
    height: model.height,
    task,
    labels: model.labels ?? [],
    outputs: roles,
    threshold,
    resize: model.resizeMode,
    async classAxis(output: string) {
      const session = await model.session();
      const info = session.outputs.find((o) => o.name === output);
      if (!info) throw new UserError(`${model.label}: no output named '${output}'`);
      const classes = model.labels?.length ?? 0;
      const last = info.shape.length - 1;
      return info.shape[last] === classes && info.shape[1] !== classes ? last : 1;
    },
    async scoreLayout() {
      if (head.kind !== 'detector') return undefined;
      const probe = scoreLayout(head);
      if (!probe) return undefined;
      const session = await model.session();
      const dims = session.outputs.find((o) => o.name === probe.output)?.shape;
      const last = dims?.[dims.length - 1];
      return scoreLayout(head, typeof last === 'number' ? last : undefined);
    },
    async createOracle(loss: LossSpec, outputs: readonly string[]) {
      const oracle = createGradientOracle(model, loss, { outputs: [...outputs] });
      // Graphs fixed to one batch size (converted TF.js models take exactly 1) run chunk by chunk.
      return model.fixedBatch ? chunkedOracle(oracle, model.fixedBatch) : oracle;
    },
    async predict(pixels: FloatTensor, options?: { ranked?: boolean }): Promise<TargetPrediction[]> {
      const session = await model.session();
      const n = pixels.dims[0];
      const chunk = model.fixedBatch ?? n;
      const results: TargetPrediction[] = [];
      for (let start = 0; start < n; start += chunk) {
        const count = Math.min(chunk, n - start);
        const input = encodePixels(pixels, start, count, model.fixedBatch ?? count, model.encoding);
        const outputs = await session.run({ [model.input.name]: input });
        for (let i = 0; i < count; i++) results.push(readPrediction(model, outputs, i, options?.ranked ?? false));
      }
      return results;
    },
  };
}

function readPrediction(model: LoadedModel, outputs: Record<string, HostTensor>, index: number, ranked: boolean): TargetPrediction {
  const head = model.head;
  switch (head.kind) {
    case 'detector': {
      const decoder = getDecoder(head.decoder);
      if (!decoder) throw new UserError(`${model.label}: unknown detector decoder '${head.decoder}'`);
      const identity = { scaleX: 1, scaleY: 1, offsetX: 0, offsetY: 0 };
      const decode = (options: Record<string, unknown>) => decoder(outputs, { model, index, transform: identity, width: model.width, height: model.height, options }).detections ?? [];
      // The same outputs decoded twice: as the head shows them, and (for AP) ranked down to a low score.
      return { detections: decode(head.options), ...(ranked ? { ranked: decode({ ...head.options, ...RANKING_OPTIONS }) } : {}) };
    }
    case 'embedding': {
      const out = head.output ? outputs[head.output] : Object.values(outputs)[0];
      const per = out.data.length / out.dims[0];
      return { embedding: Float32Array.from(Array.from(out.data.slice(index * per, (index + 1) * per) as ArrayLike<number>)) };
    }
    default: {
      const out = head.kind === 'classifier' && head.output ? outputs[head.output] : Object.values(outputs)[0];
      const activation = head.kind === 'classifier' ? head.activation : 'auto';
      return { top: topK(rowProbabilities(out, index, activation), 5, (i) => model.labelOf(i)).map((t) => ({ index: t.index, prob: t.prob })) };
    }
  }
}

/** Pixel-space NCHW [0, 1] rows [start, start+count) to the model's own input encoding, padded to `batch`. */
export function encodePixels(pixels: FloatTensor, start: number, count: number, batch: number, enc: PixelEncoding): FloatTensor {
  const [, , h, w] = pixels.dims;
  const plane = h * w;
  const data = new Float32Array(batch * 3 * plane);
  const [lo, hi] = enc.range;
  for (let b = 0; b < batch; b++) {
    const srcB = start + Math.min(b, count - 1);
    for (let c = 0; c < 3; c++) {
      const src = enc.channelOrder === 'BGR' ? 2 - c : c;
      const mul = (hi - lo) / enc.std[c];
      const add = (lo - enc.mean[c]) / enc.std[c];
      const sBase = (srcB * 3 + src) * plane;
      for (let p = 0; p < plane; p++) {
        const v = pixels.data[sBase + p] * mul + add;
        if (enc.layout === 'NCHW') data[(b * 3 + c) * plane + p] = v;
        else data[(b * plane + p) * 3 + c] = v;
      }
    }
  }
  return { type: 'float32', dims: enc.layout === 'NCHW' ? [batch, 3, h, w] : [batch, h, w, 3], data };
}
