import type { FloatTensor } from '../tensor/tensor';

/**
 * The contract between the gradient engine and everything that attacks a model.
 *
 * An oracle works in *pixel space*: NCHW float32 RGB in [0, 1] at the model's input size,
 * whatever layout, value range, mean/std or channel order the model itself wants. The
 * oracle folds that preprocessing into its ONNX graph, so attacks, the compositor and
 * defences never see model-specific encodings, and `eps = 8/255` means what it says.
 *
 * Everything that varies per call (labels, masks, target embeddings, output gradients) is a
 * graph *input*, never a constant, so one built graph serves a whole optimisation run.
 */
/**
 * `max` over tiles instead of the whole map: the spatial dims (all but the batch and channel
 * axes, 2-D) are cut into `size` x `size` tiles and the loss is the sum over tiles of
 * max(tile max - floor, 0). A detector's hide loss then pushes down every object scoring above
 * `floor` at once, where the plain max moves only the strongest one per view.
 */
export interface MaxTiles {
  size: number;
  floor: number;
}

export type LossSpec =
  /** Cross-entropy on logits, per sample; `targeted` negates it (minimise CE to the target). */
  | { kind: 'ce'; output?: string; targeted?: boolean }
  /** Carlini-Wagner f6: max(Z_label - max_{j != label} Z_j, -kappa); targeted flips the sign. */
  | { kind: 'margin'; output?: string; kappa?: number; targeted?: boolean }
  /** One logit per sample (index given per call). */
  | { kind: 'logit'; output?: string }
  /** Sum or mean of an output per sample, optionally weighted by a per-call mask of the output's shape
   * and/or restricted to channels [start, end) along `axis` (default 1). */
  | { kind: 'sum' | 'mean'; output: string; masked?: boolean; channels?: [number, number]; axis?: number }
  /** Max per sample over an output (after the optional channel restriction), e.g. the
   * adversarial-yolo "hide" objective on a detector's class heatmap. */
  | { kind: 'max'; output: string; channels?: [number, number]; axis?: number; tiles?: MaxTiles }
  /**
   * A detector's score for one class over a flat list of anchors or queries ([B, a, b], classes
   * along `axis`): channel `channel`, after `activation` along that axis (DETR's softmax over
   * logits), times channel `objectness` when given (YOLOv5's obj x cls). Per sample the max over
   * anchors, or with `floor` the sum over anchors of (score - floor)+ (every box at once).
   */
  | { kind: 'detection'; output: string; axis: number; channel: number; objectness?: number; activation?: 'softmax' | 'sigmoid'; floor?: number }
  /** Cosine similarity between an embedding output and a per-call vector per sample. */
  | { kind: 'cosine'; output: string }
  /** Mean squared error to a per-call target of the output's shape. */
  | { kind: 'mse'; output: string }
  /** Vector-Jacobian product: the caller supplies d(loss)/d(output) for each named output. */
  | { kind: 'vjp'; outputs: string[] };

/** Per-call values a loss needs; which ones depends on the LossSpec kind. */
export interface LossArgs {
  /** ce, margin: true label (untargeted) or target label (targeted); logit: the index. One per sample. */
  labels?: number[];
  /** sum/mean with masked: weights, the output's shape. */
  mask?: FloatTensor;
  /** cosine: one vector per sample, [N, D]. */
  vectors?: FloatTensor;
  /** mse: the target, the output's shape. */
  target?: FloatTensor;
  /** vjp: d(loss)/d(output) for each output named in the spec. */
  outputGrads?: Record<string, FloatTensor>;
}

export interface GradientResult {
  /** The loss per sample, [N]. */
  loss: Float32Array;
  /** Mean of `loss` over the batch. */
  meanLoss: number;
  /** The model outputs requested when the oracle was created, from the same forward pass. */
  outputs: Record<string, FloatTensor>;
  /** d(sum of per-sample losses)/d(pixels): NCHW [N, 3, H, W], like the input. */
  grad: FloatTensor;
}

export interface GradientOracle {
  /** Model input size in pixels. */
  readonly width: number;
  readonly height: number;
  /** Forward pass only (for evaluation and query attacks); pixel-space input as above. */
  forward(pixels: FloatTensor): Promise<Record<string, FloatTensor>>;
  /** Forward, loss and input gradient in one native run. */
  gradient(pixels: FloatTensor, args?: LossArgs): Promise<GradientResult>;
  /** Builds the graph and session for a batch size ahead of the first call (optional: the first call builds them anyway). */
  prepare?(batch: number): Promise<unknown>;
  /** Frees native sessions. */
  dispose(): Promise<void>;
  /** Calls that run side by side (session workers); 1 or absent when calls run one at a time. */
  readonly concurrency?: number;
}
