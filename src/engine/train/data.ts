import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { Rng } from '../random';
import { UserError } from '../errors';
import { floatTensor, type FloatTensor } from '../tensor/tensor';

/** Where Debian's dataset-fashion-mnist package puts the idx files. */
export const FASHION_MNIST_DIR = process.env.PATCHLAB_FASHION_MNIST ?? '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** Grey images as bytes, row-major [count, size, size], with integer labels. */
export interface Dataset {
  name: string;
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  size: number;
  labelNames: string[];
}

export type DataSplit = 'train' | 'test';

function readIdx(path: string, magic: number): { dims: number[]; data: Uint8Array } {
  if (!existsSync(path)) {
    throw new UserError(`${path}: not found (install Fashion-MNIST: apt-get install dataset-fashion-mnist, or set PATCHLAB_FASHION_MNIST)`);
  }
  const raw = path.endsWith('.gz') ? gunzipSync(readFileSync(path)) : readFileSync(path);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (view.getUint32(0) !== magic) throw new UserError(`${path}: not an idx file (magic ${view.getUint32(0).toString(16)})`);
  const rank = magic & 0xff;
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  return { dims, data: new Uint8Array(raw.buffer, raw.byteOffset + 4 + 4 * rank, dims.reduce((a, b) => a * b, 1)) };
}

export function loadFashionMnist(split: DataSplit, dir = FASHION_MNIST_DIR): Dataset {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = readIdx(join(dir, `${prefix}-images-idx3-ubyte.gz`), 0x803);
  const labels = readIdx(join(dir, `${prefix}-labels-idx1-ubyte.gz`), 0x801);
  if (images.dims[0] !== labels.dims[0]) throw new UserError(`${dir}: ${images.dims[0]} images but ${labels.dims[0]} labels`);
  return { name: `fashion-mnist/${split}`, images: images.data, labels: labels.data, count: images.dims[0], size: images.dims[1], labelNames: FASHION_MNIST_LABELS };
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.bmp', '.gif', '.tif', '.tiff']);

/** A folder of labelled images, DIR/<class>/*.png: classes in name order, each image made grey at `size`. */
export async function loadImageFolder(dir: string, size: number): Promise<Dataset> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${dir}: not a folder of class folders (DIR/class/*.png)`);
  const classes = readdirSync(dir).filter((c) => statSync(join(dir, c)).isDirectory()).sort();
  if (classes.length < 2) throw new UserError(`${dir}: needs at least two class folders (DIR/class/*.png), found ${classes.length}`);
  const files: { path: string; label: number }[] = [];
  classes.forEach((c, label) => {
    for (const f of readdirSync(join(dir, c)).sort()) if (IMAGE_EXTENSIONS.has(extname(f).toLowerCase())) files.push({ path: join(dir, c, f), label });
  });
  if (files.length === 0) throw new UserError(`${dir}: no images in its class folders`);
  const images = new Uint8Array(files.length * size * size);
  for (let i = 0; i < files.length; i++) {
    try {
      const { data } = await sharp(files[i].path).greyscale().resize(size, size, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
      images.set(data.subarray(0, size * size), i * size * size);
    } catch (error) {
      throw new UserError(`${files[i].path}: cannot read the image (${(error as Error).message})`);
    }
  }
  return { name: dir, images, labels: Uint8Array.from(files.map((f) => f.label)), count: files.length, size, labelNames: classes };
}

/** Fixed train/val indices: a seeded `valCount` held out for every choice, the rest trained on. */
export function splitTrainVal(count: number, valCount: number, seed: number): { train: Uint32Array; val: Uint32Array } {
  const order = permutation(count, new Rng(seed ^ 0x5eed));
  return { train: order.slice(valCount), val: order.slice(0, valCount) };
}

export function permutation(n: number, rng: Rng): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** The order of one epoch: a permutation drawn from (seed, epoch), so a resumed run sees the same batches. */
export function epochOrder(indices: Uint32Array, seed: number, epoch: number): Uint32Array {
  const p = permutation(indices.length, new Rng(seed * 1000003 + epoch));
  return p.map((k) => indices[k]);
}

export { AUGMENTATIONS, type Augmentation } from '../../shared/training';
import type { Augmentation } from '../../shared/training';

/**
 * Images `indices` as [B, 1, S, S] floats in [0, 1]; `light` augmentation shifts each by up to
 * 2 pixels (zero fill) and mirrors half of them left-right.
 */
export function makeBatch(data: Dataset, indices: ArrayLike<number>, augment: Augmentation, rng?: Rng): FloatTensor {
  const s = data.size;
  const out = new Float32Array(indices.length * s * s);
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b] * s * s;
    const dst = b * s * s;
    const dx = augment === 'light' && rng ? rng.int(5) - 2 : 0;
    const dy = augment === 'light' && rng ? rng.int(5) - 2 : 0;
    const flip = augment === 'light' && rng ? rng.next() < 0.5 : false;
    for (let y = 0; y < s; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= s) continue;
      for (let x = 0; x < s; x++) {
        const sx0 = x - dx;
        if (sx0 < 0 || sx0 >= s) continue;
        const sx = flip ? s - 1 - sx0 : sx0;
        out[dst + y * s + x] = data.images[src + sy * s + sx] / 255;
      }
    }
  }
  return floatTensor([indices.length, 1, s, s], out);
}

/** One-hot targets [B, classes]. */
export function oneHot(data: Dataset, indices: ArrayLike<number>, classes: number): FloatTensor {
  const out = new Float32Array(indices.length * classes);
  for (let b = 0; b < indices.length; b++) out[b * classes + data.labels[indices[b]]] = 1;
  return floatTensor([indices.length, classes], out);
}
