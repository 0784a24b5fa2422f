import type { GradientOracle, GradientResult, LossArgs, LossSpec } from '../../src/engine/autodiff/oracle';
import type { AttackTarget, TargetPrediction } from '../../src/engine/attacks/physical/target';
import type { Detection } from '../../src/engine/models/types';
import { floatTensor, type FloatTensor } from '../../src/engine/tensor/tensor';

/**
 * A detector small enough to differentiate by hand, for testing attacks without the gradient
 * engine: class 0 "person" fires on red regions, class 1 "cat" on blue ones. Each 4x4 cell
 * scores the 32x32 window around it: heatmap[n, k, i, j] = sigmoid(GAIN · Σ_window feature_k / 1024 − BIAS),
 * NCHW, so (as in a real detector) a patch inside an object changes every score that sees it.
 */
const CELL = 4;
const WINDOW = 32;
const GAIN = 30;
const BIAS = 3;
const LABELS = ['person', 'cat'];
/** d(feature_k)/d(R, G, B). */
const FEATURE = [
  [1, -0.5, -0.5],
  [-0.5, -0.5, 1],
];

export function toyDetector(width = 64, height = 64): AttackTarget & { calls: number } {
  const hw = width / CELL;
  const hh = height / CELL;
  const norm = 1 / (WINDOW * WINDOW);
  /** Window of cell (i, j) in pixels, clipped to the image. */
  const window = (i: number, j: number): [number, number, number, number] => {
    const cx = j * CELL + CELL / 2;
    const cy = i * CELL + CELL / 2;
    return [Math.max(0, cx - WINDOW / 2), Math.max(0, cy - WINDOW / 2), Math.min(width, cx + WINDOW / 2), Math.min(height, cy + WINDOW / 2)];
  };
  const forward = (pixels: FloatTensor): FloatTensor => {
    const n = pixels.dims[0];
    const out = floatTensor([n, 2, hh, hw]);
    const plane = width * height;
    const integral = new Float64Array((width + 1) * (height + 1));
    for (let b = 0; b < n; b++) {
      for (let k = 0; k < 2; k++) {
        for (let y = 0; y < height; y++) {
          let row = 0;
          for (let x = 0; x < width; x++) {
            let f = 0;
            for (let c = 0; c < 3; c++) f += FEATURE[k][c] * pixels.data[(b * 3 + c) * plane + y * width + x];
            row += f;
            integral[(y + 1) * (width + 1) + x + 1] = integral[y * (width + 1) + x + 1] + row;
          }
        }
        for (let i = 0; i < hh; i++) {
          for (let j = 0; j < hw; j++) {
            const [x0, y0, x1, y1] = window(i, j);
            const W1 = width + 1;
            const s = integral[y1 * W1 + x1] - integral[y0 * W1 + x1] - integral[y1 * W1 + x0] + integral[y0 * W1 + x0];
            out.data[((b * 2 + k) * hh + i) * hw + j] = 1 / (1 + Math.exp(-(GAIN * s * norm - BIAS)));
          }
        }
      }
    }
    return out;
  };
  /** d(Σ g · heatmap)/d(pixels) for an output gradient g. */
  const backward = (pixels: FloatTensor, heat: FloatTensor, g: FloatTensor): FloatTensor => {
    const grad = floatTensor(pixels.dims);
    const n = pixels.dims[0];
    const plane = width * height;
    const diff = new Float64Array((width + 1) * (height + 1));
    for (let b = 0; b < n; b++) {
      for (let k = 0; k < 2; k++) {
        diff.fill(0);
        for (let i = 0; i < hh; i++) {
          for (let j = 0; j < hw; j++) {
            const idx = ((b * 2 + k) * hh + i) * hw + j;
            const gv = g.data[idx];
            if (gv === 0) continue;
            const s = heat.data[idx];
            const dz = gv * s * (1 - s) * GAIN * norm;
            const [x0, y0, x1, y1] = window(i, j);
            const W1 = width + 1;
            diff[y0 * W1 + x0] += dz;
            diff[y0 * W1 + x1] -= dz;
            diff[y1 * W1 + x0] -= dz;
            diff[y1 * W1 + x1] += dz;
          }
        }
        // Prefix sums turn the corner marks into each pixel's total window weight.
        const W1 = width + 1;
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            const v = diff[y * W1 + x] + (x > 0 ? diff[y * W1 + x - 1] : 0) + (y > 0 ? diff[(y - 1) * W1 + x] : 0) - (x > 0 && y > 0 ? diff[(y - 1) * W1 + x - 1] : 0);
            diff[y * W1 + x] = v;
            if (v === 0) continue;
            for (let c = 0; c < 3; c++) grad.data[(b * 3 + c) * plane + y * width + x] += v * FEATURE[k][c];
          }
        }
      }
    }
    return grad;
  };
  const target = {
    calls: 0,
    name: 'toy-detector',
    hash: 'toy-detector-v1',
    width,
    height,
    task: 'detector' as const,
    labels: LABELS,
    outputs: { heatmap: 'heatmap' },
    threshold: 0.5,
    async classAxis() {
      return 1;
    },
    async createOracle(spec: LossSpec): Promise<GradientOracle> {
      if (spec.kind !== 'max' && spec.kind !== 'vjp') throw new Error(`toy detector: loss kind ${spec.kind} not supported`);
      return {
        width,
        height,
        async forward(pixels) {
          return { heatmap: forward(pixels) };
        },
        async gradient(pixels, args: LossArgs = {}): Promise<GradientResult> {
          target.calls++;
          const heat = forward(pixels);
          const n = pixels.dims[0];
          const g = floatTensor(heat.dims);
          const values = new Float32Array(n);
          if (spec.kind === 'max') {
            const k = spec.channels?.[0] ?? 0;
            for (let b = 0; b < n; b++) {
              let best = -1;
              let at = 0;
              for (let c = 0; c < hh * hw; c++) {
                const v = heat.data[(b * 2 + k) * hh * hw + c];
                if (v > best) {
                  best = v;
                  at = (b * 2 + k) * hh * hw + c;
                }
              }
              values[b] = best;
              g.data[at] = 1;
            }
          } else {
            g.data.set(args.outputGrads?.heatmap?.data ?? new Float32Array(g.data.length));
          }
          const grad = backward(pixels, heat, g);
          return { loss: values, meanLoss: values.reduce((a, v) => a + v, 0) / n, outputs: { heatmap: heat }, grad };
        },
        async dispose() {},
      };
    },
    async predict(pixels: FloatTensor): Promise<TargetPrediction[]> {
      const heat = forward(pixels);
      return Array.from({ length: pixels.dims[0] }, (_, b) => ({ detections: blobs(heat, b, hw, hh) }));
    },
  };
  return target;
}

/** Connected cells at or above 0.5 per class, as boxes in pixels, scored by their peak. */
function blobs(heat: FloatTensor, b: number, hw: number, hh: number): Detection[] {
  const out: Detection[] = [];
  for (let k = 0; k < 2; k++) {
    const base = (b * 2 + k) * hh * hw;
    const seen = new Uint8Array(hh * hw);
    for (let start = 0; start < hh * hw; start++) {
      if (seen[start] || heat.data[base + start] < 0.5) continue;
      const stack = [start];
      seen[start] = 1;
      let [x0, y0, x1, y1, peak] = [hw, hh, 0, 0, 0];
      while (stack.length > 0) {
        const c = stack.pop() as number;
        const i = Math.floor(c / hw);
        const j = c % hw;
        x0 = Math.min(x0, j);
        y0 = Math.min(y0, i);
        x1 = Math.max(x1, j + 1);
        y1 = Math.max(y1, i + 1);
        peak = Math.max(peak, heat.data[base + c]);
        for (const [di, dj] of [
          [0, 1],
          [1, 0],
          [0, -1],
          [-1, 0],
        ]) {
          const ni = i + di;
          const nj = j + dj;
          if (ni < 0 || nj < 0 || ni >= hh || nj >= hw) continue;
          const nc = ni * hw + nj;
          if (!seen[nc] && heat.data[base + nc] >= 0.5) {
            seen[nc] = 1;
            stack.push(nc);
          }
        }
      }
      out.push({ label: LABELS[k], classIndex: k, score: peak, box: [x0 * CELL, y0 * CELL, x1 * CELL, y1 * CELL] });
    }
  }
  return out;
}
