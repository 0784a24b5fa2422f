import { attrFloat, attrInt, attrInts, attrString } from '../../onnx/ir';
import { only } from './only';
import type { GradContext, RuleTable } from './types';

/**
 * Resize (nearest, linear, cubic) is linear and separable: along each resized axis
 * y = A x for an [out, in] interpolation matrix. The gradient applies A^T per axis with MatMul;
 * the matrices are built here from the ONNX coordinate rules, so every coordinate mode is exact.
 * Nearest upsampling by a whole factor is a sum over blocks instead.
 */

export interface ResizeAxis {
  mode: string;
  coordinates: string;
  nearestMode: string;
  cubicA: number;
  excludeOutside: boolean;
  inSize: number;
  outSize: number;
  scale: number;
}

function sourceCoordinate(a: ResizeAxis, j: number): number {
  switch (a.coordinates) {
    case 'half_pixel':
      return (j + 0.5) / a.scale - 0.5;
    case 'pytorch_half_pixel':
      return a.outSize > 1 ? (j + 0.5) / a.scale - 0.5 : 0;
    case 'align_corners':
      return a.outSize === 1 ? 0 : (j * (a.inSize - 1)) / (a.outSize - 1);
    case 'asymmetric':
      return j / a.scale;
    case 'tf_half_pixel_for_nn':
      return (j + 0.5) / a.scale;
    default:
      throw new Error(`coordinate_transformation_mode '${a.coordinates}'`);
  }
}

function nearestIndex(a: ResizeAxis, x: number): number {
  let i: number;
  switch (a.nearestMode) {
    case 'round_prefer_ceil':
      i = Math.floor(x + 0.5);
      break;
    case 'floor':
      i = Math.floor(x);
      break;
    case 'ceil':
      i = Math.ceil(x);
      break;
    default:
      i = Number.isInteger(x - 0.5) ? Math.floor(x) : Math.round(x);
  }
  return Math.min(Math.max(i, 0), a.inSize - 1);
}

function cubicWeight(t: number, a: number): number {
  const x = Math.abs(t);
  if (x <= 1) return (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1;
  if (x < 2) return a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a;
  return 0;
}

/** The [out, in] interpolation matrix of one axis, row-major. */
export function interpolationMatrix(a: ResizeAxis): Float64Array {
  const m = new Float64Array(a.outSize * a.inSize);
  const clampIndex = (i: number) => Math.min(Math.max(i, 0), a.inSize - 1);
  for (let j = 0; j < a.outSize; j++) {
    const row = j * a.inSize;
    const x = sourceCoordinate(a, j);
    if (a.mode === 'nearest') {
      m[row + nearestIndex(a, x)] = 1;
    } else if (a.mode === 'linear') {
      const c = Math.min(Math.max(x, 0), a.inSize - 1);
      const x0 = Math.floor(c);
      const w1 = c - x0;
      m[row + x0] += 1 - w1;
      m[row + clampIndex(x0 + 1)] += w1;
    } else {
      const x0 = Math.floor(x);
      const t = x - x0;
      const taps = [-1, 0, 1, 2].map((d) => ({ i: x0 + d, w: cubicWeight(t - d, a.cubicA) }));
      const kept = a.excludeOutside ? taps.filter((p) => p.i >= 0 && p.i < a.inSize) : taps;
      const total = a.excludeOutside ? kept.reduce((s, p) => s + p.w, 0) : 1;
      for (const p of kept) m[row + clampIndex(p.i)] += p.w / total;
    }
  }
  return m;
}

/** A whole-factor block mapping (out j reads in floor(j / f)), or undefined. */
function blockFactor(a: ResizeAxis, matrix: Float64Array): number | undefined {
  if (a.mode !== 'nearest' || a.outSize % a.inSize !== 0) return undefined;
  const f = a.outSize / a.inSize;
  for (let j = 0; j < a.outSize; j++) if (matrix[j * a.inSize + Math.floor(j / f)] !== 1) return undefined;
  return f;
}

function resize(ctx: GradContext) {
  const { node, values, emit } = ctx;
  const x = node.inputs[0];
  const inShape = values.shape(x);
  const outShape = values.shape(node.outputs[0]);
  const rank = inShape.length;
  if (attrInt(node, 'antialias', 0) === 1) ctx.fail('antialiased Resize has no gradient rule');
  const mode = attrString(node, 'mode', 'nearest');
  const coordinates = attrString(node, 'coordinate_transformation_mode', 'half_pixel');
  if (!['nearest', 'linear', 'cubic'].includes(mode)) ctx.fail(`mode '${mode}' has no gradient rule`);
  if (!['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'].includes(coordinates)) {
    ctx.fail(`coordinate_transformation_mode '${coordinates}' has no gradient rule`);
  }
  const axesAttr = (attrInts(node, 'axes') ?? inShape.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  const scalesGiven = node.inputs[2] ? values.floats(node.inputs[2]) : undefined;
  const scaleOf = (axis: number) => {
    const k = axesAttr.indexOf(axis);
    if (scalesGiven && scalesGiven.length > 0 && k >= 0) return scalesGiven[k];
    return outShape[axis] / inShape[axis];
  };
  const resized = inShape.map((_, i) => i).filter((i) => inShape[i] !== outShape[i] || scaleOf(i) !== 1);
  const axes = resized.map((axis) => ({
    axis,
    spec: {
      mode,
      coordinates,
      nearestMode: attrString(node, 'nearest_mode', 'round_prefer_floor'),
      cubicA: attrFloat(node, 'cubic_coeff_a', -0.75),
      excludeOutside: attrInt(node, 'exclude_outside', 0) === 1,
      inSize: inShape[axis],
      outSize: outShape[axis],
      scale: scaleOf(axis),
    },
  }));
  const matrices = axes.map((a) => interpolationMatrix(a.spec));
  const factors = axes.map((a, i) => blockFactor(a.spec, matrices[i]));
  let g = ctx.dy[0]!;
  if (factors.every((f) => f !== undefined) && axes.length > 0) {
    const split = outShape.flatMap((d, i) => {
      const k = resized.indexOf(i);
      return k >= 0 ? [inShape[i], factors[k]!] : [d];
    });
    const blockAxes = resized.map((axis, k) => axis + k + 1);
    return [emit.reduceSum(emit.reshape(g, split), blockAxes, false)];
  }
  const type = ctx.floatType(x);
  axes.forEach((a, k) => {
    const { inSize, outSize } = a.spec;
    if (a.axis === rank - 1) {
      g = emit.op('MatMul', [g, emit.floatConst(matrices[k], [outSize, inSize], type, 'resize_a')]);
    } else if (a.axis === rank - 2) {
      g = emit.op('MatMul', [emit.floatConst(transpose(matrices[k], outSize, inSize), [inSize, outSize], type, 'resize_at'), g]);
    } else {
      const perm = inShape.map((_, i) => i);
      [perm[a.axis], perm[rank - 1]] = [perm[rank - 1], perm[a.axis]];
      const moved = emit.op('MatMul', [emit.transpose(g, perm), emit.floatConst(matrices[k], [outSize, inSize], type, 'resize_a')]);
      g = emit.transpose(moved, perm);
    }
  });
  return [g];
}

function transpose(m: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
  return t;
}

export const resizeRules: RuleTable = {
  Resize: only([0], resize),
};
