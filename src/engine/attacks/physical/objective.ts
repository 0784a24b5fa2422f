import type { GradientOracle, GradientResult, LossArgs, LossSpec } from '../../autodiff/oracle';
import { UserError } from '../../errors';
import { faceSimilarity } from '../../models/faces';
import { floatTensor, type FloatTensor } from '../../tensor/tensor';
import type { ScoreLayout } from '../../models/decoders/layout';
import type { Goal, HIDE_LOSSES } from './config';
import { heatmapRoles, multiLevelObjective, type ScoreLevel } from './multi-level';
import type { AttackTarget } from './target';

/**
 * What the optimiser minimises for one goal: `sign` · (the oracle's per-sample loss), and how
 * a view counts as a success. `args` supplies per-call loss inputs for the scenes in a batch.
 */
export interface Objective {
  loss: LossSpec;
  outputs: string[];
  sign: 1 | -1;
  describe: string;
  args(scenes: readonly number[]): LossArgs;
  success(loss: Float32Array, scenes: readonly number[], outputs: Record<string, FloatTensor>): boolean[];
  /** Goals that need the model outputs first (a loss the oracle has no kind for) run two passes. */
  evaluate?(oracle: GradientOracle, pixels: FloatTensor, scenes: readonly number[]): Promise<GradientResult>;
  /** Frees what the objective holds besides the main oracle (a second model's session). */
  dispose?(): Promise<void>;
}

export interface ObjectiveContext {
  target: AttackTarget;
  goal: Goal;
  classIndex?: number;
  targetIndex?: number;
  /** Detectors, hide: the plain max or the tiled max (see PhysicalAttackConfig.hideLoss). */
  hideLoss?: (typeof HIDE_LOSSES)[number];
  /** hideLoss topk: how many of the class's strongest peaks per view the loss pushes down. */
  hideTopK?: number;
  /** Classifiers: the label each scene should lose (untargeted). */
  sceneLabels?: number[];
  /** Embeddings: the enrolled face per scene (dodge) or the target's face (impersonate), unit vectors. */
  sceneVectors?: Float32Array[];
  targetVector?: Float32Array;
  /** Embeddings, impersonate: see PhysicalAttackConfig.awayFromWearer (0 by default). */
  awayFromWearer?: number;
}

/** Heatmap cells per side of a hide tile (8 cells = 32 input pixels on centernet's stride-4 map). */
const HIDE_TILE = 8;

export async function buildObjective(ctx: ObjectiveContext): Promise<Objective> {
  const { target, goal } = ctx;
  const thr = target.threshold;
  switch (target.task) {
    case 'detector': {
      const layout = await target.scoreLayout?.();
      if (layout && !layout.spatial) return flatDetector(ctx, layout);
      const levels = heatmapRoles(target.outputs);
      if (levels.length > 1) return multiLevel(ctx, await Promise.all(levels.map(async (role) => ({ output: target.outputs[role], axis: await target.classAxis(target.outputs[role]) }))));
      if (ctx.hideLoss && !['max', 'tiles', 'topk'].includes(ctx.hideLoss)) throw new UserError(`--hide-loss ${ctx.hideLoss}: applies to heads with a list of anchors (YOLO, SSD, DETR); ${target.name} has a heatmap (use max, tiles or topk)`);
      const heatmap = target.outputs.heatmap;
      if (!heatmap) throw new UserError(`${target.name}: its manifest names no 'heatmap' attack output`);
      const axis = await target.classAxis(heatmap);
      if (goal === 'hide' || goal === 'untargeted') {
        const c = need(ctx.classIndex, '--class');
        // No outputs requested: the loss alone decides success, and the graph then computes only class c's heatmap (narrow.ts).
        if (goal === 'hide' && ctx.hideLoss === 'tiles') {
          const floor = thr / 2;
          const tiles = { size: HIDE_TILE, floor };
          // Success here is stricter than the detector's: every tile below half the threshold.
          return { loss: { kind: 'max', output: heatmap, channels: [c, c + 1], axis, tiles }, outputs: [], sign: 1, describe: `sum over tiles of (max ${target.labels[c] ?? c} score - ${floor})+`, args: () => ({}), success: (l) => Array.from(l, (v) => v <= 0) };
        }
        if (goal === 'hide' && ctx.hideLoss === 'topk') return topPeaks(heatmap, axis, c, ctx.hideTopK ?? 3, thr, target);
        return { loss: { kind: 'max', output: heatmap, channels: [c, c + 1], axis }, outputs: [], sign: 1, describe: `max score of class ${target.labels[c] ?? c}`, args: () => ({}), success: (l) => Array.from(l, (v) => v < thr) };
      }
      const t = need(ctx.targetIndex, '--target');
      if (ctx.classIndex === undefined) {
        return { loss: { kind: 'max', output: heatmap, channels: [t, t + 1], axis }, outputs: [], sign: -1, describe: `max score of class ${target.labels[t] ?? t}`, args: () => ({}), success: (l) => Array.from(l, (v) => v >= thr) };
      }
      return mislabel(heatmap, axis, ctx.classIndex, t, thr, target);
    }
    case 'classifier': {
      const logits = target.outputs.logits;
      const spec = (targeted: boolean): LossSpec => ({ kind: 'margin', kappa: 1, targeted, ...(logits ? { output: logits } : {}) });
      if (goal === 'target') {
        const t = need(ctx.targetIndex, '--target');
        return { loss: spec(true), outputs: [], sign: 1, describe: `margin to class ${target.labels[t] ?? t}`, args: (s) => ({ labels: s.map(() => t) }), success: (l) => Array.from(l, (v) => v < 0) };
      }
      const labels = ctx.sceneLabels ?? [];
      return { loss: spec(false), outputs: [], sign: 1, describe: 'margin of the true class', args: (s) => ({ labels: s.map((i) => (ctx.classIndex ?? labels[i])) }), success: (l) => Array.from(l, (v) => v < 0) };
    }
    case 'embedding': {
      const output = target.outputs.embedding;
      if (!output) throw new UserError(`${target.name}: its manifest names no 'embedding' output`);
      const rows = (vectors: Float32Array[]): FloatTensor => {
        const d = vectors[0].length;
        const t = floatTensor([vectors.length, d]);
        vectors.forEach((v, i) => t.data.set(v, i * d));
        return t;
      };
      const own = ctx.sceneVectors ?? [];
      if (goal === 'impersonate') {
        const t = ctx.targetVector;
        if (!t) throw new UserError('impersonation needs the target face (--target PHOTO)');
        // cos(e, t − λs) = (e·t − λ e·s) / (|e| |t − λs|): one cosine to a fixed direction per
        // scene climbs towards the target and away from the wearer in the ratio λ.
        const away = ctx.awayFromWearer ?? 0;
        const towards = own.map((s) => unitVector(t.map((v, i) => v - away * s[i])));
        return {
          loss: { kind: 'cosine', output },
          outputs: [output],
          sign: -1,
          describe: away > 0 ? `cosine to (target − ${away} · wearer)` : "similarity to the target's enrolled face",
          args: (s) => ({ vectors: rows(s.map((i) => towards[i])) }),
          success: (_l, scenes, outputs) =>
            scenes.map((s, b) => {
              const e = outputs[output] ? rowOf(outputs[output], b) : undefined;
              if (!e) return false;
              const ct = faceSimilarity(e, t);
              return ct >= thr && ct > faceSimilarity(e, own[s]);
            }),
        };
      }
      return { loss: { kind: 'cosine', output }, outputs: [output], sign: 1, describe: "similarity to the wearer's enrolled face", args: (s) => ({ vectors: rows(s.map((i) => own[i])) }), success: (l) => Array.from(l, (x) => x < thr) };
    }
  }
}

/**
 * Detectors whose class scores are a flat list of anchors or queries ([B, N, 5+C] YOLOv5,
 * [B, 4+C, N] YOLOv8, SSD scores, DETR logits): the 'detection' loss reads class c's score per
 * anchor (times objectness where the head has it, after DETR's softmax) and takes the max, or
 * the sum of (score - threshold/2)+ over anchors for `tiles`.
 */
function flatDetector(ctx: ObjectiveContext, layout: ScoreLayout): Objective {
  const { target, goal } = ctx;
  const thr = target.threshold;
  const name = (k: number) => target.labels[k] ?? String(k);
  const spec = (channel: number, extra: { objectness?: number; floor?: number } = {}): LossSpec => ({
    kind: 'detection',
    output: layout.output,
    axis: layout.axis,
    channel,
    ...(layout.activation ? { activation: layout.activation } : {}),
    ...extra,
  });
  const obj = layout.objectness;
  const withObj = obj === undefined ? {} : { objectness: obj };
  if (goal === 'hide' || goal === 'untargeted') {
    const c = need(ctx.classIndex, '--class');
    const ch = layout.classOffset + c;
    const variant = ctx.hideLoss ?? 'max';
    const base = { outputs: [], sign: 1 as const, args: () => ({}) };
    if (variant === 'topk') throw new UserError(`--hide-loss topk: applies to heatmap heads (centernet); ${target.name} has a list of anchors (use max, tiles, cls${obj === undefined ? '' : ', obj or obj-cls'})`);
    if ((variant === 'obj' || variant === 'obj-cls') && obj === undefined) throw new UserError(`--hide-loss ${variant}: ${target.name} has no objectness (only YOLOv5-style heads do); use cls, max or tiles`);
    if (variant === 'obj') return { ...base, loss: spec(obj as number), describe: 'max objectness', success: (l) => Array.from(l, (v) => v < thr) };
    if (variant === 'cls') return { ...base, loss: spec(ch), describe: `max ${name(c)} class score`, success: (l) => Array.from(l, (v) => v < thr) };
    if (variant === 'tiles') {
      const floor = thr / 2;
      return { ...base, loss: spec(ch, { ...withObj, floor }), describe: `sum over anchors of (${name(c)} score - ${floor})+`, success: (l) => Array.from(l, (v) => v <= 0) };
    }
    return { ...base, loss: spec(ch, withObj), describe: `max ${obj === undefined ? '' : 'objectness x '}${name(c)} score`, success: (l) => Array.from(l, (v) => v < thr) };
  }
  const t = need(ctx.targetIndex, '--target');
  if (ctx.classIndex === undefined) {
    return { loss: spec(layout.classOffset + t, withObj), outputs: [], sign: -1, describe: `max ${name(t)} score`, args: () => ({}), success: (l) => Array.from(l, (v) => v >= thr) };
  }
  return mislabel(layout.output, layout.axis, ctx.classIndex, t, thr, target, layout.classOffset);
}

/** Score maps on several output levels (NanoDet): the goal's loss over all of them (multi-level.ts). */
function multiLevel(ctx: ObjectiveContext, levels: ScoreLevel[]): Objective {
  const { goal } = ctx;
  if (goal === 'hide' || goal === 'untargeted') return multiLevelObjective(ctx.target, levels, { hide: need(ctx.classIndex, '--class'), hideLoss: goal === 'hide' ? ctx.hideLoss : 'max', topK: ctx.hideTopK });
  return multiLevelObjective(ctx.target, levels, { raise: need(ctx.targetIndex, '--target'), ...(ctx.classIndex === undefined ? {} : { hide: ctx.classIndex }) });
}

function need(v: number | undefined, flag: string): number {
  if (v === undefined) throw new UserError(`this goal needs ${flag}`);
  return v;
}

/**
 * For losses the oracle has no kind for: a forward pass reads `output`, `pick` writes each
 * sample's d(loss)/d(output) into `grad` and returns its loss, and a VJP pass sends it back.
 */
async function outputVjp(oracle: GradientOracle, pixels: FloatTensor, output: string, pick: (h: FloatTensor, b: number, grad: FloatTensor) => number): Promise<GradientResult> {
  const h = (await oracle.forward(pixels))[output];
  if (!h) throw new Error(`the oracle did not return '${output}'`);
  const grad = floatTensor(h.dims);
  const n = h.dims[0];
  const loss = new Float32Array(n);
  for (let b = 0; b < n; b++) loss[b] = pick(h, b, grad);
  const result = await oracle.gradient(pixels, { outputGrads: { [output]: grad } });
  return { ...result, loss, meanLoss: loss.reduce((a, v) => a + v, 0) / n };
}

/**
 * Make a detector see class T where class C was: minimise max(h_C) − max(h_T). The oracle has
 * no such loss kind, so a forward pass finds both maxima and a VJP pass sends ±1 to them.
 */
function mislabel(heatmap: string, axis: number, c: number, t: number, thr: number, target: AttackTarget, offset = 0): Objective {
  let lastMax: { c: number; t: number }[] = [];
  return {
    loss: { kind: 'vjp', outputs: [heatmap] },
    outputs: [heatmap],
    sign: 1,
    describe: `max ${target.labels[c] ?? c} − max ${target.labels[t] ?? t}`,
    args: () => ({}),
    success: (_l, scenes) => scenes.map((_, i) => lastMax[i] !== undefined && lastMax[i].c < thr && lastMax[i].t >= thr),
    evaluate(oracle, pixels) {
      lastMax = [];
      return outputVjp(oracle, pixels, heatmap, (h, b, grad) => {
        const mc = argmaxChannel(h, b, axis, c + offset);
        const mt = argmaxChannel(h, b, axis, t + offset);
        grad.data[mc.index] += 1;
        grad.data[mt.index] -= 1;
        lastMax.push({ c: mc.value, t: mt.value });
        return mc.value - mt.value;
      });
    },
  };
}

/**
 * Hide, top-k over objects: the k strongest peaks (3x3 local maxima, what a centre-heatmap
 * detector reads as objects) of class C above half the threshold, summed as (peak - floor)+.
 * Unlike the max it pushes several people per view; unlike the tiles it follows the people, not
 * a grid. A forward pass finds the peaks and a VJP pass sends 1 to each.
 */
function topPeaks(heatmap: string, axis: number, c: number, k: number, thr: number, target: AttackTarget): Objective {
  const floor = thr / 2;
  let lastTop: number[] = [];
  return {
    loss: { kind: 'vjp', outputs: [heatmap] },
    outputs: [heatmap],
    sign: 1,
    describe: `sum of the ${k} strongest ${target.labels[c] ?? c} peaks above ${floor}`,
    args: () => ({}),
    success: (_l, scenes) => scenes.map((_, i) => (lastTop[i] ?? Infinity) < thr),
    evaluate(oracle, pixels) {
      lastTop = [];
      return outputVjp(oracle, pixels, heatmap, (h, b, grad) => {
        const peaks = channelPeaks(h, b, axis, c, floor).slice(0, k);
        let loss = 0;
        for (const p of peaks) {
          loss += p.value - floor;
          grad.data[p.index] += 1;
        }
        lastTop.push(peaks[0]?.value ?? 0);
        return loss;
      });
    },
  };
}

/**
 * Local maxima (3x3) of channel `k` in batch row `b` of a [N, H, W, C] or [N, C, H, W] map above
 * `floor`, strongest first, with flat indices.
 */
export function channelPeaks(t: FloatTensor, b: number, axis: number, k: number, floor: number): { value: number; index: number }[] {
  const dims = t.dims;
  if (dims.length !== 4 || (axis !== 1 && axis !== 3)) return [argmaxChannel(t, b, axis, k)].filter((p) => p.value > floor);
  const [H, W] = axis === 3 ? [dims[1], dims[2]] : [dims[2], dims[3]];
  const C = dims[axis];
  const per = t.data.length / dims[0];
  const at = (y: number, x: number): number => (axis === 3 ? b * per + (y * W + x) * C + k : b * per + k * H * W + y * W + x);
  const peaks: { value: number; index: number }[] = [];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = t.data[at(y, x)];
      if (v <= floor) continue;
      let top = true;
      for (let dy = -1; dy <= 1 && top; dy++) for (let dx = -1; dx <= 1 && top; dx++) {
        const yy = y + dy;
        const xx = x + dx;
        if ((dy || dx) && yy >= 0 && yy < H && xx >= 0 && xx < W && t.data[at(yy, xx)] > v) top = false;
      }
      if (top) peaks.push({ value: v, index: at(y, x) });
    }
  }
  return peaks.sort((p, q) => q.value - p.value);
}

/** Largest value of channel `k` (along `axis`) in batch row `b`, and its flat index. */
export function argmaxChannel(t: FloatTensor, b: number, axis: number, k: number): { value: number; index: number } {
  const dims = t.dims;
  const per = t.data.length / dims[0];
  let inner = 1;
  for (let i = axis + 1; i < dims.length; i++) inner *= dims[i];
  const channels = dims[axis];
  const outer = per / (inner * channels);
  let best = -Infinity;
  let index = -1;
  for (let o = 0; o < outer; o++) {
    const base = b * per + (o * channels + k) * inner;
    for (let i = 0; i < inner; i++) {
      const v = t.data[base + i];
      if (v > best) {
        best = v;
        index = base + i;
      }
    }
  }
  return { value: best, index };
}

function rowOf(t: FloatTensor, b: number): Float32Array {
  const per = t.data.length / t.dims[0];
  return t.data.subarray(b * per, (b + 1) * per);
}

function unitVector(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  return v.map((x) => x / n);
}
