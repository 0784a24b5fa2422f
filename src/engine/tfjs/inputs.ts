import { UserError } from '../errors';
import type { OnnxBuilder } from './builder';
import type { ValueTable } from './context';
import { Attrs, type TfNode } from './graph';
import type { TfSignature } from './artifacts';
import { TO_NCHW, formatDims, type Dim } from './values';

/** A tensor inside the graph to feed as an input instead of computing it (an input-side cut). */
export interface InputCut {
  /** TF tensor name (`node` or `node:1`). */
  name: string;
  /** TF (NHWC) shape. */
  shape: number[];
  dtype?: 'float32' | 'int32';
}

export interface InputOptions {
  /** Cut the graph on the input side: these tensors become graph inputs, whatever computes them is dropped. */
  inputs?: InputCut[];
  /** Layout of 4-D image inputs in the ONNX graph (default NCHW: no transpose before the first conv). */
  inputLayout?: 'NCHW' | 'NHWC';
  /** Fixes unknown input dimensions, by TF input name (TF's NHWC order). */
  inputShapes?: Record<string, number[]>;
  /** Fixes an unknown batch dimension. */
  batch?: number;
  /**
   * Leaves the batch (leading) dimension of every input symbolic even where the model declares
   * a fixed one: TF.js exports of fixed-batch models declare 1, which would make an attack run
   * its batch of views one at a time.
   */
  freeBatch?: boolean;
  /**
   * Feeds a single-channel (grey) image input with RGB instead: the graph starts with a 1x1
   * convolution grey = weights . rgb + bias, so gradients reach all three channels.
   */
  rgbToGray?: { weights: [number, number, number]; bias?: number };
}

/** Declares a TF Placeholder as an ONNX graph input and records its value. */
export function addPlaceholder(node: TfNode, signature: TfSignature | undefined, builder: OnnxBuilder, table: ValueTable, options: InputOptions): void {
  const attrs = new Attrs(node);
  const dtype = attrs.dtype('dtype') ?? 'float32';
  if (dtype === 'string') throw new UserError(`input '${node.name}' is a string tensor; only numeric inputs convert`);
  addGraphInput(node.name, dtype, resolveShape(node, attrs.shape('shape'), signature, options), builder, table, options);
}

/** Declares an input-side cut as an ONNX graph input. */
export function addCutInput(cut: InputCut, builder: OnnxBuilder, table: ValueTable, options: InputOptions): void {
  addGraphInput(cut.name, cut.dtype ?? 'float32', cut.shape, builder, table, options);
}

function addGraphInput(ref: string, dtype: 'float32' | 'int32' | 'bool', shape: Dim[], builder: OnnxBuilder, table: ValueTable, options: InputOptions): void {
  const rank4 = shape.length === 4;
  const nchw = rank4 && (options.inputLayout ?? 'NCHW') === 'NCHW';
  const gray = options.rgbToGray && rank4 && shape[3] === 1 && dtype === 'float32' ? options.rgbToGray : undefined;
  const fed: Dim[] = gray ? [shape[0], shape[1], shape[2], 3] : shape;
  const onnxShape = nchw ? TO_NCHW.map((p) => fed[p]) : fed;
  const name = builder.claim(ref);
  builder.graph.inputs.push({ name, type: dtype, shape: onnxShape.map((d, i) => d ?? (i === 0 ? 'batch' : `${ref}_dim${i}`)) });
  if (!gray) {
    table.set({ ref, dtype, shape, layout: nchw ? 'nchw' : 'tf', onnx: name });
    return;
  }
  const input = nchw ? name : transposeToNchw(builder, name);
  const weights = builder.float(`${ref}::rgb_to_gray`, gray.weights, [1, 3, 1, 1]);
  const bias = builder.float(`${ref}::gray_bias`, [gray.bias ?? 0], [1]);
  const grey = builder.unique(`${ref}::gray::nchw`);
  builder.node('Conv', [input, weights, bias], [grey], { kernel_shape: { type: 'ints', value: [1, 1] } });
  table.set({ ref, dtype, shape, layout: 'nchw', onnx: grey });
}

function transposeToNchw(builder: OnnxBuilder, name: string): string {
  const out = builder.unique(`${name}::nchw`);
  builder.node('Transpose', [name], [out], { perm: { type: 'ints', value: TO_NCHW } });
  return out;
}

function resolveShape(node: TfNode, declared: Dim[] | undefined, signature: TfSignature | undefined, options: InputOptions): Dim[] {
  const fixed = options.inputShapes?.[node.name];
  const fromSignature = signatureShape(node.name, signature);
  const base = declared ?? fromSignature;
  if (fixed) {
    if (base && (fixed.length !== base.length || base.some((d, i) => d !== null && d !== fixed[i]))) {
      throw new UserError(`input '${node.name}' has shape ${formatDims(base)}; cannot fix it to ${formatDims(fixed)}`);
    }
    return [...fixed];
  }
  if (!base) throw new UserError(`input '${node.name}' has no known rank; give its shape`);
  if (options.freeBatch && base.length > 0) return [null, ...base.slice(1).map((d, i) => d ?? fromSignature?.[i + 1] ?? null)];
  return base.map((d, i) => d ?? fromSignature?.[i] ?? (i === 0 ? (options.batch ?? null) : null));
}

function signatureShape(name: string, signature: TfSignature | undefined): Dim[] | undefined {
  for (const entry of Object.values(signature?.inputs ?? {})) {
    if (entry.name.replace(/:\d+$/, '') !== name || !entry.tensorShape || entry.tensorShape.unknownRank) continue;
    return (entry.tensorShape.dim ?? []).map((d) => {
      const size = Number(d.size ?? -1);
      return size < 0 ? null : size;
    });
  }
  return undefined;
}
