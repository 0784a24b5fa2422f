import { buildGradientGraph, type GradientGraph } from '../autodiff/gradient-graph';
import { Emitter, namesIn } from '../autodiff/emitter';
import { opsetVersion, type Graph, type Model } from '../onnx/ir';
import { createSession, type Session } from '../onnx/session';
import { writeModel } from '../onnx/write';
import type { FloatTensor, HostTensor } from '../tensor/tensor';
import { GRAY_INPUT, LOGITS } from './arch';
import { trainingBatchNorm, type TrainingBatchNorm } from './batchnorm';
import type { Parameters } from './parameters';

/**
 * The objective a training graph computes per sample, from logits z:
 * - `soft-ce`: -sum_j t_j log softmax(z / T)_j, with targets t one-hot (plain training, T = 1)
 *   or a teacher's soft labels (distillation at temperature T);
 * - `trades`: the batch holds B clean images then their B adversarial twins; clean rows get
 *   cross-entropy, adversarial rows beta * KL(p_clean || p_adv) (Zhang et al. 2019).
 */
export type Objective = { kind: 'soft-ce'; temperature: number } | { kind: 'trades'; beta: number };

export const TARGETS = 'targets';
const TERMS = 'train/loss_terms';

export interface TrainingGraphOptions {
  /** Images per run (for trades: 2B, clean then adversarial). */
  batch: number;
  objective: Objective;
  /** false: only d(loss)/d(image) (attack steps against the training-mode network). */
  weightGradients: boolean;
  threads: number;
}

function appendObjective(graph: Graph, opset: number, objective: Objective, batch: number, classes: number): Graph {
  const emit = new Emitter(opset, namesIn(graph), 'objective');
  let terms: string;
  if (objective.kind === 'soft-ce') {
    const z = objective.temperature === 1 ? LOGITS : emit.div(LOGITS, emit.scalar(objective.temperature));
    terms = emit.neg(emit.mul(TARGETS, emit.op('LogSoftmax', [z], { axis: { type: 'int', value: 1 } })));
  } else {
    const half = batch / 2;
    const logp = emit.op('LogSoftmax', [LOGITS], { axis: { type: 'int', value: 1 } });
    const ce = emit.neg(emit.mul(TARGETS, logp));
    const clean = emit.slice(logp, [0], [half], [0]);
    const adv = emit.slice(logp, [half], [batch], [0]);
    const kl = emit.mul(emit.op('Exp', [clean]), emit.sub(clean, adv));
    const rows = emit.concat([emit.mul(kl, emit.scalar(0)), emit.mul(kl, emit.scalar(objective.beta))], 0);
    terms = emit.add(ce, rows);
  }
  emit.opInto('Identity', [terms], [TERMS]);
  return {
    ...graph,
    nodes: [...graph.nodes, ...emit.nodes],
    initializers: new Map([...graph.initializers, ...emit.initializers]),
    inputs: [...graph.inputs, { name: TARGETS, type: 'float32', shape: [batch, classes] }],
  };
}

export interface StepResult {
  /** Mean loss over the batch. */
  loss: number;
  logits: FloatTensor;
  /** d(mean loss)/d(parameter), by name (weight-gradient graphs only). */
  grads: Map<string, Float32Array>;
  /** d(sum of losses)/d(image) [B, 1, H, W]. */
  inputGrad: FloatTensor;
  /** This batch's BatchNorm statistics, by running-statistic name. */
  stats: Map<string, Float32Array>;
}

/**
 * One compiled onnxruntime session for a (network, batch size, objective): forward in training
 * mode (batch statistics), loss, and the backward pass to every parameter, with the parameters
 * as graph inputs so the same session serves every step while the trainer updates them.
 */
export class TrainingGraph {
  private constructor(
    private readonly session: Session,
    private readonly graph: GradientGraph,
    readonly norms: TrainingBatchNorm[],
    readonly batch: number,
  ) {}

  static async create(core: Model, params: Parameters, options: TrainingGraphOptions): Promise<TrainingGraph> {
    const opset = opsetVersion(core);
    const classes = params.classes;
    const fixed: Graph = { ...core.graph, inputs: core.graph.inputs.map((i) => (i.name === GRAY_INPUT ? { ...i, shape: [options.batch, ...(i.shape ?? []).slice(1)] } : i)) };
    const { graph: bnGraph, norms } = trainingBatchNorm(fixed, opset);
    const withLoss = appendObjective(bnGraph, opset, options.objective, options.batch, classes);
    const stats = norms.flatMap((n) => [n.batchMean, n.batchVar]);
    const graph = await buildGradientGraph(
      { ...core, graph: withLoss },
      {
        input: GRAY_INPUT,
        batch: options.batch,
        loss: { kind: 'sum', output: TERMS },
        reduction: options.weightGradients ? 'mean' : 'sum',
        outputs: [LOGITS, ...stats],
        weights: { names: params.trainable },
        weightGradients: options.weightGradients,
        label: 'training graph',
      },
    );
    const session = await createSession(writeModel(graph.model), { threads: options.threads, label: 'training graph' });
    return new TrainingGraph(session, graph, norms, options.batch);
  }

  async run(images: FloatTensor, targets: FloatTensor, params: Parameters): Promise<StepResult> {
    const feeds: Record<string, HostTensor> = { [this.graph.input]: images, [TARGETS]: targets };
    for (const w of this.graph.weights) feeds[w.name] = { type: 'float32', dims: w.dims, data: params.values.get(w.name)! };
    const out = await this.session.run(feeds);
    const grads = new Map<string, Float32Array>();
    for (const w of this.graph.weights) if (w.grad) grads.set(w.name, out[w.grad].data as Float32Array);
    const stats = new Map<string, Float32Array>();
    for (const n of this.norms) {
      stats.set(n.runningMean, out[n.batchMean].data as Float32Array);
      stats.set(n.runningVar, out[n.batchVar].data as Float32Array);
    }
    return {
      loss: (out[this.graph.lossMean].data as Float32Array)[0],
      logits: out[LOGITS] as FloatTensor,
      grads,
      inputGrad: out[this.graph.grad] as FloatTensor,
      stats,
    };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
