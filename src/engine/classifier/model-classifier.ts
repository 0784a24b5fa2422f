import { createGradientOracle } from '../autodiff/gradient-oracle';
import type { GradientOracle, LossSpec } from '../autodiff/oracle';
import { UserError } from '../errors';
import { encodePixels } from '../image/encode-pixels';
import { LoadedModel } from '../models/loaded';
import { floatTensor, type FloatTensor, type HostTensor } from '../tensor/tensor';
import { ModelClassifier, type OracleFactory, type ScoreHead } from './classifier';

/**
 * Where a loaded model's class scores are: the manifest's attack `logits` role, else the
 * head's output. With `preActivation`, a final Softmax or Sigmoid (behind any Identity) is
 * looked through and its input used as the logits: gradients through a saturated softmax
 * vanish in float32, the logits' do not. Only gradient oracles can read such an intermediate
 * value; the plain session returns graph outputs.
 */
export async function scoreHead(model: LoadedModel, options: { preActivation?: boolean } = {}): Promise<ScoreHead> {
  if (model.head.kind !== 'classifier') {
    throw new UserError(`${model.label}: digital attacks need a classifier; this model's head is '${model.head.kind}'`);
  }
  const labels = model.labels;
  const logits = model.manifest.attack?.outputs.logits;
  if (logits) return { output: logits, activation: 'logits', labels };
  const session = await model.session();
  const output = model.head.output ?? session.outputs[0]?.name;
  if (!output) throw new UserError(`${model.label}: the model has no outputs`);
  if (options.preActivation) {
    const before = beforeActivation(model, output);
    if (before) return { ...before, labels };
  }
  return { output, activation: model.head.activation, labels };
}

/** The input of the Softmax/Sigmoid that produces `output` (through Identity nodes), if any. */
function beforeActivation(model: LoadedModel, output: string): Pick<ScoreHead, 'output' | 'activation'> | undefined {
  const nodes = model.ir().graph.nodes;
  let name = output;
  for (let hops = 0; hops < 8; hops++) {
    const producer = nodes.find((n) => n.outputs.includes(name));
    if (!producer) return undefined;
    if (producer.opType === 'Identity') {
      name = producer.inputs[0];
      continue;
    }
    if (producer.opType === 'Softmax') return { output: producer.inputs[0], activation: 'logits' };
    if (producer.opType === 'Sigmoid') return { output: producer.inputs[0], activation: 'sigmoid' };
    return undefined;
  }
  return undefined;
}

/**
 * A forward-only oracle over the model's own onnxruntime session: pixel-space input encoded
 * the way the model wants, every output returned. Enough for query attacks and evaluation,
 * which never differentiate; `gradient` refuses.
 */
export function forwardOracle(model: LoadedModel): GradientOracle {
  return {
    width: model.width,
    height: model.height,
    async forward(pixels) {
      const session = await model.session();
      const n = pixels.dims[0];
      const chunk = model.fixedBatch ?? 64;
      const parts: Record<string, FloatTensor>[] = [];
      for (let start = 0; start < n; start += chunk) {
        const rows = Array.from({ length: Math.min(chunk, n - start) }, (_, i) => start + i);
        // A graph fixed to batch B needs exactly B images: pad with copies, drop their rows after.
        const fed = model.fixedBatch ? Array.from({ length: model.fixedBatch }, (_, i) => rows[Math.min(i, rows.length - 1)]) : rows;
        const size = pixels.data.length / n;
        const batch = floatTensor([fed.length, ...pixels.dims.slice(1)]);
        fed.forEach((r, i) => batch.data.set(pixels.data.subarray(r * size, (r + 1) * size), i * size));
        const outputs = await session.run({ [model.input.name]: encodePixels(batch, model.encoding) });
        parts.push(Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, firstRows(v, rows.length)])));
      }
      return concatOutputs(parts);
    },
    async gradient() {
      throw new Error(`${model.label}: this oracle only runs forward passes`);
    },
    async dispose() {},
  };
}

/**
 * The classifier digital attacks use for a loaded model. `gradients` supplies gradient
 * oracles (the autodiff engine's createGradientOracle); without it only forward passes work,
 * which is all the query attacks (square, hopskipjump) need.
 */
export async function classifierForModel(model: LoadedModel, gradients?: (model: LoadedModel, loss: LossSpec, head: ScoreHead) => Promise<GradientOracle>): Promise<ModelClassifier> {
  const head = await scoreHead(model, { preActivation: gradients !== undefined });
  const forward = forwardOracle(model);
  const factory: OracleFactory = async (loss) => {
    if (gradients) return gradients(model, loss, head);
    return {
      ...forward,
      async gradient() {
        throw new UserError(`${model.label}: this attack needs input gradients, and the gradient engine is not available in this build`);
      },
    };
  };
  return ModelClassifier.create(factory, head);
}

function firstRows(t: HostTensor, rows: number): FloatTensor {
  const per = t.data.length / (t.dims[0] ?? 1);
  const data = t.data instanceof Float32Array ? t.data.slice(0, rows * per) : Float32Array.from(t.data as ArrayLike<number>).slice(0, rows * per);
  return floatTensor([rows, ...t.dims.slice(1)], data);
}

function concatOutputs(parts: Record<string, FloatTensor>[]): Record<string, FloatTensor> {
  if (parts.length === 1) return parts[0];
  const out: Record<string, FloatTensor> = {};
  for (const name of Object.keys(parts[0])) {
    const pieces = parts.map((p) => p[name]);
    const data = new Float32Array(pieces.reduce((a, p) => a + p.data.length, 0));
    let offset = 0;
    for (const p of pieces) {
      data.set(p.data, offset);
      offset += p.data.length;
    }
    out[name] = floatTensor([pieces.reduce((a, p) => a + p.dims[0], 0), ...pieces[0].dims.slice(1)], data);
  }
  return out;
}

/**
 * The autodiff engine's gradient oracles for a model, reading the scores where `head` says.
 * The engine takes cross-entropy as log p when the model's head declares probabilities; when
 * the scores are the logits before that softmax, the model is presented with a logits head so
 * cross-entropy is log-softmax of them.
 */
export function engineGradients(model: LoadedModel, loss: LossSpec, head: ScoreHead): Promise<GradientOracle> {
  const declared = model.head.kind === 'classifier' ? model.head : undefined;
  const seen = declared && declared.activation === 'probabilities' && head.activation !== 'probabilities' ? withHead(model, { ...declared, output: head.output, activation: 'logits' }) : model;
  return Promise.resolve(createGradientOracle(seen, loss, { outputs: [head.output] }));
}

/** The classifier of `model` with gradients from the autodiff engine (all attacks work). */
export function gradientClassifierForModel(model: LoadedModel): Promise<ModelClassifier> {
  return classifierForModel(model, engineGradients);
}

const withHeadCache = new WeakMap<LoadedModel, LoadedModel>();

function withHead(model: LoadedModel, head: LoadedModel['head']): LoadedModel {
  let found = withHeadCache.get(model);
  if (!found) {
    found = new LoadedModel(model.entry, model.bytes, {
      width: model.width,
      height: model.height,
      layout: model.encoding.layout,
      range: model.encoding.range,
      mean: model.encoding.mean,
      std: model.encoding.std,
      channelOrder: model.encoding.channelOrder,
      resize: model.resizeMode,
      labels: model.labels,
      head,
    });
    withHeadCache.set(model, found);
  }
  return found;
}
