import { join } from 'node:path';
import sharp from 'sharp';
import type { GradientOracle, GradientResult, LossArgs, LossSpec } from '../../src/engine/autodiff/oracle';
import type { FaceDetector } from '../../src/engine/attacks/physical/faces';
import type { AttackTarget, TargetPrediction } from '../../src/engine/attacks/physical/target';
import { Rng } from '../../src/engine/random';
import { floatTensor, type FloatTensor } from '../../src/engine/tensor/tensor';

/**
 * A face descriptor simple enough to differentiate by hand: the mean colour of each cell of a
 * 4x4 grid over the eye band (rows 25%-62.5% of the crop), minus the band's mean colour (48
 * values). Faces of different "people" (colour layouts) point different ways; eyeglass frames
 * change the cells they cover.
 */
const GRID = 4;

export function toyFaceDescriptor(size = 64, threshold = 0.9): AttackTarget {
  const cell = size / GRID;
  const cellH = (size * 0.375) / GRID;
  const top = size * 0.25;
  const D = GRID * GRID * 3;
  const embed = (pixels: FloatTensor, b: number): Float64Array => {
    const e = new Float64Array(D);
    const plane = size * size;
    for (let c = 0; c < 3; c++) {
      let total = 0;
      for (let gy = 0; gy < GRID; gy++) {
        for (let gx = 0; gx < GRID; gx++) {
          let s = 0;
          for (let y = top + gy * cellH; y < top + (gy + 1) * cellH; y++) for (let x = gx * cell; x < (gx + 1) * cell; x++) s += pixels.data[(b * 3 + c) * plane + y * size + x];
          e[(gy * GRID + gx) * 3 + c] = s / (cell * cellH);
          total += s / (cell * cellH);
        }
      }
      for (let g = 0; g < GRID * GRID; g++) e[g * 3 + c] -= total / (GRID * GRID);
    }
    return e;
  };
  /** d(e·v/|e|)/d(pixels) for one image, into grad. */
  const cosineGrad = (e: Float64Array, v: Float32Array, grad: Float32Array, b: number): number => {
    let ee = 0;
    let ev = 0;
    for (let i = 0; i < D; i++) {
      ee += e[i] * e[i];
      ev += e[i] * v[i];
    }
    const norm = Math.sqrt(ee);
    const de = new Float64Array(D);
    for (let i = 0; i < D; i++) de[i] = v[i] / norm - (ev * e[i]) / (norm * norm * norm);
    const plane = size * size;
    for (let c = 0; c < 3; c++) {
      let meanDe = 0;
      for (let g = 0; g < GRID * GRID; g++) meanDe += de[g * 3 + c] / (GRID * GRID);
      for (let gy = 0; gy < GRID; gy++) {
        for (let gx = 0; gx < GRID; gx++) {
          const d = (de[(gy * GRID + gx) * 3 + c] - meanDe) / (cell * cellH);
          for (let y = top + gy * cellH; y < top + (gy + 1) * cellH; y++) for (let x = gx * cell; x < (gx + 1) * cell; x++) grad[(b * 3 + c) * plane + y * size + x] = d;
        }
      }
    }
    return ev / norm;
  };
  return {
    name: 'toy-faces',
    hash: 'toy-faces-v1',
    width: size,
    height: size,
    task: 'embedding',
    labels: [],
    outputs: { embedding: 'embedding' },
    threshold,
    async classAxis() {
      return 1;
    },
    async createOracle(spec: LossSpec): Promise<GradientOracle> {
      if (spec.kind !== 'cosine') throw new Error(`toy faces: loss ${spec.kind} not supported`);
      return {
        width: size,
        height: size,
        async forward(pixels) {
          const n = pixels.dims[0];
          const t = floatTensor([n, D]);
          for (let b = 0; b < n; b++) t.data.set(embed(pixels, b), b * D);
          return { embedding: t };
        },
        async gradient(pixels, args: LossArgs = {}): Promise<GradientResult> {
          const n = pixels.dims[0];
          const grad = floatTensor(pixels.dims);
          const loss = new Float32Array(n);
          const vectors = args.vectors as FloatTensor;
          const embedding = floatTensor([n, D]);
          for (let b = 0; b < n; b++) {
            const e = embed(pixels, b);
            embedding.data.set(e, b * D);
            loss[b] = cosineGrad(e, vectors.data.subarray(b * D, (b + 1) * D), grad.data, b);
          }
          return { loss, meanLoss: loss.reduce((a, v) => a + v, 0) / n, outputs: { embedding }, grad };
        },
        async dispose() {},
      };
    },
    async predict(pixels: FloatTensor): Promise<TargetPrediction[]> {
      return Array.from({ length: pixels.dims[0] }, (_, b) => ({ embedding: Float32Array.from(embed(pixels, b)) }));
    },
  };
}

/** Eyes at fixed places, where writeToyFaces draws them. */
export const toyFaceDetector: FaceDetector = async (image) => [
  { box: [0.15 * image.width, 0.2 * image.height, 0.85 * image.width, 0.85 * image.height], score: 1, leftEye: [0.34 * image.width, 0.42 * image.height], rightEye: [0.66 * image.width, 0.42 * image.height] },
];

/**
 * `count` 128x128 "faces": a 3x3 colour layout whose top and bottom rows all identities share
 * and whose middle (eye) row is each identity's own, with dark eyes where the toy detector says.
 */
export async function writeToyFaces(dir: string, count: number, seed = 1): Promise<string[]> {
  const files: string[] = [];
  const size = 128;
  for (let id = 0; id < count; id++) {
    const shared = new Rng(seed, -1);
    const own = new Rng(seed, id);
    const palette = Array.from({ length: 9 }, (_, i) => {
      const rng = i >= 3 && i < 6 ? own : shared;
      return [rng.uniform(60, 220), rng.uniform(60, 220), rng.uniform(60, 220)];
    });
    const data = Buffer.alloc(size * size * 3);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const gx = Math.min(2, Math.floor((x / size) * 3));
        const gy = Math.min(2, Math.floor((y / size) * 3));
        const eye = Math.hypot(x - 0.34 * size, y - 0.42 * size) < 6 || Math.hypot(x - 0.66 * size, y - 0.42 * size) < 6;
        for (let c = 0; c < 3; c++) data[(y * size + x) * 3 + c] = eye ? 20 : palette[gy * 3 + gx][c];
      }
    }
    const file = join(dir, `person${id}.png`);
    await sharp(data, { raw: { width: size, height: size, channels: 3 } }).png().toFile(file);
    files.push(file);
  }
  return files;
}
