import type { GradientOracle, GradientResult } from '../../autodiff/oracle';
import { UserError } from '../../errors';
import { floatTensor, type FloatTensor } from '../../tensor/tensor';
import type { HIDE_LOSSES } from './config';
import { argmaxChannel, channelPeaks, type Objective } from './objective';
import type { AttackTarget } from './target';

/** A class-score map of one output level: its output name and class axis. */
export interface ScoreLevel {
  output: string;
  axis: number;
}

/** Side of a hide tile in input pixels (centernet's 8 cells at stride 4); a level's tile is this over its stride, at least a cell. */
export const HIDE_TILE_PIXELS = 32;

/** The attack roles holding class-score maps: `heatmap`, then `heatmap16`, `heatmap32`... (one per output level). */
export function heatmapRoles(outputs: Readonly<Record<string, string>>): string[] {
  return Object.keys(outputs).filter((role) => /^heatmap\d*$/.test(role));
}

/** Every level's spatial dims and batch layout, for indexing a [N, C, H, W] or [N, H, W, C] map. */
function levelDims(t: FloatTensor, axis: number): { H: number; W: number; C: number } {
  const d = t.dims;
  return axis === 3 ? { H: d[1], W: d[2], C: d[3] } : { H: d[2], W: d[3], C: d[1] };
}

/** Tiles of `size` cells over channel k of batch row b: each tile's max value and flat index. */
function tileMaxima(t: FloatTensor, b: number, axis: number, k: number, size: number): { value: number; index: number }[] {
  const { H, W, C } = levelDims(t, axis);
  const per = t.data.length / t.dims[0];
  const at = (y: number, x: number): number => (axis === 3 ? b * per + (y * W + x) * C + k : b * per + k * H * W + y * W + x);
  const out: { value: number; index: number }[] = [];
  for (let ty = 0; ty < H; ty += size) {
    for (let tx = 0; tx < W; tx += size) {
      let best = { value: -Infinity, index: -1 };
      for (let y = ty; y < Math.min(ty + size, H); y++) {
        for (let x = tx; x < Math.min(tx + size, W); x++) {
          const i = at(y, x);
          if (t.data[i] > best.value) best = { value: t.data[i], index: i };
        }
      }
      out.push(best);
    }
  }
  return out;
}

/**
 * Detectors whose class scores lie on several maps, one per output level (NanoDet's strides 8,
 * 16 and 32): the hide losses of the single-map heads taken over all levels at once. `max` is the
 * largest class-c score on any level; `tiles` sums (tile max − threshold/2)+ over tiles of about
 * 32 input pixels on every level; `topk` sums the k strongest 3x3 peaks over all levels. `target`
 * raises the largest class-t score; with a class to replace, max(c) − max(t). A forward pass reads
 * the maps and a VJP pass sends 1 (or −1) to the chosen cells.
 */
export function multiLevelObjective(
  target: AttackTarget,
  levels: readonly ScoreLevel[],
  goal: { hide?: number; raise?: number; hideLoss?: (typeof HIDE_LOSSES)[number]; topK?: number },
): Objective {
  const thr = target.threshold;
  const floor = thr / 2;
  const name = (k: number) => target.labels[k] ?? String(k);
  const variant = goal.hide === undefined ? 'max' : (goal.hideLoss ?? 'max');
  if (!['max', 'tiles', 'topk'].includes(variant)) throw new UserError(`--hide-loss ${variant}: applies to heads with a list of anchors (YOLO, SSD, DETR); ${target.name} has score maps (use max, tiles or topk)`);
  const outputs = levels.map((l) => l.output);
  /** Per view: the largest class-c score and the largest class-t score over all levels. */
  let last: { c: number; t: number }[] = [];
  const describe =
    goal.hide === undefined
      ? `max ${name(goal.raise as number)} score over ${levels.length} levels`
      : variant === 'tiles'
        ? `sum over ${HIDE_TILE_PIXELS}px tiles of ${levels.length} levels of (max ${name(goal.hide)} score - ${floor})+`
        : variant === 'topk'
          ? `sum of the ${goal.topK ?? 3} strongest ${name(goal.hide)} peaks above ${floor} over ${levels.length} levels`
          : `max ${name(goal.hide)} score over ${levels.length} levels${goal.raise === undefined ? '' : ` − max ${name(goal.raise)}`}`;
  return {
    loss: { kind: 'vjp', outputs },
    outputs,
    sign: 1,
    describe,
    args: () => ({}),
    success: (loss, scenes) =>
      scenes.map((_, b) => {
        const m = last[b];
        if (!m) return false;
        if (goal.hide === undefined) return m.t >= thr;
        if (goal.raise !== undefined) return m.c < thr && m.t >= thr;
        return variant === 'tiles' ? loss[b] <= 0 : m.c < thr;
      }),
    async evaluate(oracle: GradientOracle, pixels: FloatTensor): Promise<GradientResult> {
      const maps = await oracle.forward(pixels);
      for (const o of outputs) if (!maps[o]) throw new Error(`the oracle did not return '${o}'`);
      const grads: Record<string, FloatTensor> = Object.fromEntries(outputs.map((o) => [o, floatTensor(maps[o].dims)]));
      const n = pixels.dims[0];
      const loss = new Float32Array(n);
      last = [];
      const best = (b: number, k: number) => {
        let top = { value: -Infinity, index: -1, output: outputs[0] };
        for (const l of levels) {
          const m = argmaxChannel(maps[l.output], b, l.axis, k);
          if (m.value > top.value) top = { ...m, output: l.output };
        }
        return top;
      };
      for (let b = 0; b < n; b++) {
        const c = goal.hide === undefined ? undefined : best(b, goal.hide);
        const t = goal.raise === undefined ? undefined : best(b, goal.raise);
        last.push({ c: c?.value ?? -Infinity, t: t?.value ?? -Infinity });
        if (goal.hide !== undefined && variant === 'tiles') {
          for (const l of levels) {
            const stride = target.height / levelDims(maps[l.output], l.axis).H;
            for (const tile of tileMaxima(maps[l.output], b, l.axis, goal.hide, Math.max(1, Math.round(HIDE_TILE_PIXELS / stride)))) {
              if (tile.value <= floor) continue;
              loss[b] += tile.value - floor;
              grads[l.output].data[tile.index] += 1;
            }
          }
          continue;
        }
        if (goal.hide !== undefined && variant === 'topk') {
          const peaks = levels.flatMap((l) => channelPeaks(maps[l.output], b, l.axis, goal.hide as number, floor).map((p) => ({ ...p, output: l.output })));
          for (const p of peaks.sort((x, y) => y.value - x.value).slice(0, goal.topK ?? 3)) {
            loss[b] += p.value - floor;
            grads[p.output].data[p.index] += 1;
          }
          continue;
        }
        if (c) {
          loss[b] += c.value;
          grads[c.output].data[c.index] += 1;
        }
        if (t) {
          loss[b] -= t.value;
          grads[t.output].data[t.index] -= 1;
        }
      }
      const result = await oracle.gradient(pixels, { outputGrads: grads });
      return { ...result, loss, meanLoss: loss.reduce((a, v) => a + v, 0) / n };
    },
  };
}
