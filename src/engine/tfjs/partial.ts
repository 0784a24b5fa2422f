import { Attrs, type TfNode } from './graph';
import { normalizeAxis, type TfValue } from './values';

/** Elements of a small int vector (or scalar), each known or null. */
export type Partial = (number | null)[];

/** What is known of an int32 value's elements: all of a constant, or the tracked partial. */
export function knownElements(v: TfValue): Partial | undefined {
  if (v.constant) return v.constant.dtype === 'int32' && v.constant.shape.length <= 1 ? Array.from(v.constant.data) : undefined;
  return v.partial;
}

type Op = (node: TfNode, inputs: TfValue[], known: (Partial | undefined)[]) => Partial | undefined;

const elementwise = (f: (a: number, b: number) => number): Op => (_node, _inputs, [a, b]) => {
  if (!a || !b) return undefined;
  const n = Math.max(a.length, b.length);
  if (a.length !== n && a.length !== 1) return undefined;
  if (b.length !== n && b.length !== 1) return undefined;
  return Array.from({ length: n }, (_, i) => {
    const x = a[a.length === 1 ? 0 : i];
    const y = b[b.length === 1 ? 0 : i];
    return x === null || y === null ? null : f(x, y);
  });
};

const OPS: Record<string, Op> = {
  Shape: (_n, [x]) => [...x.shape],
  Identity: (_n, _i, [x]) => x,
  Cast: (_n, _i, [x]) => x,
  Reshape: (_n, _i, [x]) => x,
  Squeeze: (_n, _i, [x]) => x,
  ExpandDims: (_n, _i, [x]) => x,
  Mul: elementwise((a, b) => a * b),
  Add: elementwise((a, b) => a + b),
  AddV2: elementwise((a, b) => a + b),
  Sub: elementwise((a, b) => a - b),
  FloorDiv: elementwise((a, b) => Math.floor(a / b)),
  Maximum: elementwise(Math.max),
  Minimum: elementwise(Math.min),
  Pack: (node, inputs, known) => (new Attrs(node).int('axis', 0) === 0 && inputs.every((v) => v.shape.length === 0) && known.every(Boolean) ? known.map((k) => (k as Partial)[0]) : undefined),
  ConcatV2: (_n, inputs, known) => {
    const parts = known.slice(0, -1);
    return inputs.slice(0, -1).every((v) => v.shape.length === 1) && parts.every(Boolean) ? parts.flatMap((k) => k as Partial) : undefined;
  },
  StridedSlice: (node, inputs, [x, begin, end, strides]) => {
    const a = new Attrs(node);
    if (!x || !begin || !end || !strides || inputs[0].shape.length !== 1 || a.int('ellipsis_mask', 0) || a.int('new_axis_mask', 0)) return undefined;
    if ([begin[0], end[0], strides[0]].some((v) => v === null)) return undefined;
    const n = x.length;
    const [b, e, s] = [begin[0] as number, end[0] as number, strides[0] as number];
    if (a.int('shrink_axis_mask', 0) & 1) return [x[normalizeAxis(b, n)] ?? null];
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
    const start = a.int('begin_mask', 0) & 1 ? 0 : clamp(b);
    const stop = a.int('end_mask', 0) & 1 ? n : clamp(e);
    if (s !== 1) return undefined;
    return x.slice(start, stop);
  },
};

/**
 * Tracks what is known of small int vectors computed at run time — typically a shape built from
 * a free batch size and fixed spatial sizes — so ops that need only the fixed part (a resize's
 * output size, a transposed convolution's output shape) still convert.
 */
export function partialOutput(node: TfNode, inputs: TfValue[]): Partial | undefined {
  const op = OPS[node.op];
  if (!op) return undefined;
  const known = inputs.map(knownElements);
  if (node.op !== 'Shape' && !known.some((k) => k !== undefined)) return undefined;
  const result = op(node, inputs, known);
  return result && result.length <= 16 ? result : undefined;
}
