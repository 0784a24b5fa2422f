import { attrInt, attrInts, attrString, type Node } from '../../onnx/ir';

/** The spatial arithmetic of one Conv (or pooling window) node at fixed shapes. */
export interface ConvGeometry {
  /** Spatial sizes of the input X and output Y. */
  inSize: number[];
  outSize: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Padding before each spatial axis, with auto_pad resolved. */
  padsBegin: number[];
}

/**
 * Resolves a Conv/pool node's window geometry. auto_pad SAME_* is resolved from the actual
 * output size, the way onnxruntime pads (the extra pixel at the end for SAME_UPPER).
 */
export function convGeometry(node: Node, inShape: readonly number[], outShape: readonly number[], kernel: readonly number[]): ConvGeometry {
  const rank = kernel.length;
  const inSize = inShape.slice(2);
  const outSize = outShape.slice(2);
  const ones = new Array<number>(rank).fill(1);
  const strides = attrInts(node, 'strides') ?? ones;
  const dilations = attrInts(node, 'dilations') ?? ones;
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  let padsBegin: number[];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    padsBegin = kernel.map((k, i) => {
      const total = Math.max(0, (outSize[i] - 1) * strides[i] + (k - 1) * dilations[i] + 1 - inSize[i]);
      return autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
    });
  } else if (autoPad === 'VALID') {
    padsBegin = new Array<number>(rank).fill(0);
  } else {
    padsBegin = (attrInts(node, 'pads') ?? new Array<number>(2 * rank).fill(0)).slice(0, rank);
  }
  return { inSize, outSize, kernel: [...kernel], strides, dilations, padsBegin };
}

/**
 * How far past the end of the input the last window reaches (negative: trailing input rows no
 * window reads). Derived from the output size, so ceil_mode and uneven strides need no cases.
 */
export function padsEndUsed(g: ConvGeometry): number[] {
  return g.kernel.map((k, i) => (g.outSize[i] - 1) * g.strides[i] + (k - 1) * g.dilations[i] + 1 - g.inSize[i] - g.padsBegin[i]);
}

export function groupOf(node: Node): number {
  return attrInt(node, 'group', 1);
}
