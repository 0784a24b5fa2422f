import type { Emitter, FloatType } from '../emitter';
import { int, ints, str } from '../emitter';
import { padsEndUsed, type ConvGeometry } from './conv-geometry';
import { flippedTransposedWeights, phaseTaps, phaseWeights, type FloatData } from './conv-weights';
import type { LoweringOptions } from './options';

export interface ConvInputGradRequest {
  emit: Emitter;
  /** d(loss)/d(Y), [N, M, ...outSize]. */
  dy: string;
  /** The forward weight W [M, C/g, ...kernel] as a graph value. */
  weight: string;
  weightDims: number[];
  /** W's contents when constant; the fast forms precompute rearranged weights from it. */
  weightData?: FloatData;
  type: FloatType;
  /** Full shape of X, [N, C, ...inSize]. */
  inShape: number[];
  geometry: ConvGeometry;
  group: number;
  lowering: LoweringOptions;
}

/**
 * d(loss)/d(X) of Y = Conv(X, W): the transpose of the convolution, lowered to whichever exact
 * form onnxruntime runs fastest (see LoweringOptions and BENCHMARKS.md). Falls back to
 * ConvTranspose where a fast form does not apply (dynamic weights, dilated strided convs...).
 */
export function convInputGrad(r: ConvInputGradRequest): string {
  const g = r.geometry;
  const strided = g.strides.some((s) => s !== 1);
  if (r.weightData) {
    if (!strided && r.lowering.stride1 === 'conv') return stride1Conv(r) ?? convTranspose(r);
    if (strided && isPlain2d(g) && r.inShape[1] >= r.lowering.stridedMinChannels) {
      const depthwise = r.group > 1 && r.group === r.inShape[1];
      const form = depthwise ? r.lowering.stridedDepthwise : r.lowering.strided;
      if (form === 'phase') return phaseSplit(r) ?? convTranspose(r);
      if (form === 'zero-insert') return zeroInsert(r) ?? convTranspose(r);
    }
  } else if (!strided && r.group === 1 && r.lowering.stride1 === 'conv') {
    // Weights fed per call (training): flip and transpose them inside the graph, same Conv form.
    return stride1Conv(r) ?? convTranspose(r);
  }
  return convTranspose(r);
}

function isPlain2d(g: ConvGeometry): boolean {
  return g.kernel.length === 2 && g.strides[0] === g.strides[1] && g.dilations.every((d) => d === 1);
}

/**
 * ConvTranspose with the forward weights, sized to X with output_padding where the last rows were
 * unread. Pads are made symmetric where output_padding can make up the difference (CUDA's
 * ConvTranspose takes only symmetric pads, and sends the node to the CPU otherwise): cropping one
 * more row at the end of an output made one row longer by output_padding keeps the same rows,
 * since the added row receives nothing.
 */
function convTranspose(r: ConvInputGradRequest): string {
  const g = r.geometry;
  const end = padsEndUsed(g);
  let padsEnd = end.map((e) => Math.max(0, e));
  let outputPadding = end.map((e) => Math.max(0, -e));
  const symmetricPadding = end.map((e, i) => g.padsBegin[i] - e);
  if (symmetricPadding.every((p, i) => p >= 0 && p < Math.max(g.strides[i], g.dilations[i]))) {
    padsEnd = [...g.padsBegin];
    outputPadding = symmetricPadding;
  }
  return r.emit.op('ConvTranspose', [r.dy, r.weight], {
    strides: ints(g.strides),
    dilations: ints(g.dilations),
    group: int(r.group),
    kernel_shape: ints(g.kernel),
    pads: ints([...g.padsBegin, ...padsEnd]),
    output_padding: ints(outputPadding),
  });
}

/** Stride 1: a Conv of dy with spatially flipped, channel-transposed weights ("full" correlation). */
function stride1Conv(r: ConvInputGradRequest, dy = r.dy, geometry = r.geometry): string | undefined {
  const g = geometry;
  const end = padsEndUsed(g);
  const reach = g.kernel.map((k, i) => (k - 1) * g.dilations[i]);
  const begin = reach.map((e, i) => e - g.padsBegin[i]);
  const after = reach.map((e, i) => e - end[i]);
  if ([...begin, ...after].some((p) => p < 0)) return undefined;
  let w: string;
  if (r.weightData) {
    const flipped = flippedTransposedWeights(r.weightData, r.weightDims, r.group);
    w = r.emit.floatConst(flipped.data, flipped.dims, r.type, 'w_flipped');
  } else {
    const spatial = g.kernel.map((_, i) => i + 2);
    const reversed = r.emit.slice(r.weight, spatial.map(() => -1), spatial.map(() => -(2 ** 62)), spatial, spatial.map(() => -1));
    w = r.emit.transpose(reversed, [1, 0, ...spatial]);
  }
  return r.emit.op('Conv', [dy, w], {
    dilations: ints(g.dilations),
    group: int(r.group),
    kernel_shape: ints(g.kernel),
    pads: ints([...begin, ...after]),
  });
}

/**
 * Stride s: every output phase (dx rows ≡ a mod s, columns ≡ b mod s) is a stride-1 Conv of dy
 * with the kernel taps that reach that phase. The s² phase results are interleaved with
 * DepthToSpace. Unlike ConvTranspose this runs onnxruntime's multi-threaded Conv kernels and
 * computes no products with inserted zeros.
 */
function phaseSplit(r: ConvInputGradRequest): string | undefined {
  const { emit } = r;
  const g = r.geometry;
  const s = g.strides[0];
  const [n, c] = r.inShape;
  const axes = [0, 1].map((i) => Array.from({ length: s }, (_, a) => phaseTaps(g.kernel[i], s, g.padsBegin[i], a)));
  if (axes.some((phases) => phases.some((p) => p.taps.length > 0 && p.first > 0))) return undefined;
  // Rows per phase: enough for the input, and at least what every phase's Conv yields with no end padding.
  const rows = [0, 1].map((i) => {
    const needed = Math.ceil(g.inSize[i] / s);
    return Math.max(needed, ...axes[i].filter((p) => p.taps.length > 0).map((p) => g.outSize[i] - (p.first + p.taps.length - 1)));
  });
  const parts: string[] = [];
  let zeros: string | undefined;
  for (let a = 0; a < s; a++) {
    for (let b = 0; b < s; b++) {
      const [ph, pw] = [axes[0][a], axes[1][b]];
      if (ph.taps.length === 0 || pw.taps.length === 0) {
        zeros ??= emit.expand(emit.scalar(0, r.type), [n, c, rows[0], rows[1]]);
        parts.push(zeros);
        continue;
      }
      const sub = phaseWeights(r.weightData!, r.weightDims, r.group, ph.taps, pw.taps);
      const w = emit.floatConst(sub.data, sub.dims, r.type, 'w_phase');
      const lastH = ph.first + ph.taps.length - 1;
      const lastW = pw.first + pw.taps.length - 1;
      parts.push(
        emit.op('Conv', [r.dy, w], {
          group: int(r.group),
          kernel_shape: ints([ph.taps.length, pw.taps.length]),
          pads: ints([-ph.first, -pw.first, rows[0] - g.outSize[0] + lastH, rows[1] - g.outSize[1] + lastW]),
        }),
      );
    }
  }
  const interleaved = emit.op('DepthToSpace', [emit.concat(parts, 1)], { blocksize: int(s), mode: str('DCR') });
  const full = rows.map((q) => q * s);
  if (full[0] === g.inSize[0] && full[1] === g.inSize[1]) return interleaved;
  return emit.slice(interleaved, [0, 0], g.inSize, [2, 3]);
}

/** Stride s: spread dy with s-1 zeros between entries, then the stride-1 form. */
function zeroInsert(r: ConvInputGradRequest): string | undefined {
  const { emit } = r;
  const g = r.geometry;
  const s = g.strides[0];
  const [n, m, yh, yw] = [r.inShape[0], r.weightDims[0], g.outSize[0], g.outSize[1]];
  const spread = emit.reshape(emit.pad(emit.reshape(r.dy, [n, m, yh, 1, yw, 1]), [0, 0, 0, 0, 0, 0, 0, 0, 0, s - 1, 0, s - 1]), [n, m, yh * s, yw * s]);
  const size = [(yh - 1) * s + 1, (yw - 1) * s + 1];
  const cropped = emit.slice(spread, [0, 0], size, [2, 3]);
  return stride1Conv(r, cropped, { ...g, outSize: size, strides: [1, 1] });
}
