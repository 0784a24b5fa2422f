import type { PixelEncoding } from '../image/tensorize';
import { opsetVersion, type Model } from '../onnx/ir';
import { Emitter, int, ints, namesIn, type Attrs } from './emitter';

const INT64_MIN = -(2 ** 63);

/**
 * Emits the nodes that turn pixel-space input (NCHW float32 RGB in [0, 1]) into what the model
 * wants: channel order, value range, mean/std, layout. The last node writes `modelInput`, so the
 * model's own nodes read it unchanged and the gradient flows back to the pixels.
 */
export function emitPixelEncoding(emit: Emitter, pixels: string, modelInput: string, enc: PixelEncoding, modelType: 'float32' | 'float64' = 'float32'): void {
  const steps: { op: string; operands: string[]; attrs?: Attrs }[] = [];
  const step = (op: string, operands: string[] = [], attrs?: Attrs) => steps.push({ op, operands, attrs });
  // A reversing Slice rather than Gather: its gradient is another Slice, not a scatter.
  if (enc.channelOrder === 'BGR') step('Slice', [emit.int64s([-1]), emit.int64s([INT64_MIN]), emit.int64s([1]), emit.int64s([-1])]);
  const [lo, hi] = enc.range;
  const scale = enc.std.map((s) => (hi - lo) / s);
  const shift = enc.std.map((s, c) => (lo - enc.mean[c]) / s);
  if (scale.some((v) => v !== 1)) step('Mul', [emit.floatConst(scale, [1, 3, 1, 1], 'float32', 'pixel_scale')]);
  if (shift.some((v) => v !== 0)) step('Add', [emit.floatConst(shift, [1, 3, 1, 1], 'float32', 'pixel_shift')]);
  if (enc.layout === 'NHWC') step('Transpose', [], { perm: ints([0, 2, 3, 1]) });
  if (modelType !== 'float32') step('Cast', [], { to: int(11) });
  if (steps.length === 0) step('Identity');

  let current = pixels;
  steps.forEach((s, i) => {
    const inputs = [current, ...s.operands];
    if (i < steps.length - 1) current = emit.op(s.op, inputs, s.attrs);
    else emit.opInto(s.op, inputs, [modelInput], s.attrs);
  });
}

/**
 * The model behind the pixel encoding, forward only: input `pixels` [batch, 3, H, W] with a
 * symbolic batch (fixed per session with freeDimensions), outputs the model's own plus `extra`.
 */
export function pixelForwardModel(model: Model, modelInput: string, enc: PixelEncoding, height: number, width: number, extra: string[] = []): { model: Model; input: string } {
  const graph = model.graph;
  const emit = new Emitter(opsetVersion(model), namesIn(graph), 'pixels');
  const input = emit.fresh('input');
  const type = graph.inputs.find((i) => i.name === modelInput)?.type === 'float64' ? 'float64' : 'float32';
  emitPixelEncoding(emit, input, modelInput, enc, type);
  const outputs = [...graph.outputs, ...extra.filter((e) => !graph.outputs.some((o) => o.name === e)).map((name) => ({ name }))];
  return {
    input,
    model: {
      ...model,
      graph: {
        ...graph,
        nodes: [...emit.nodes, ...graph.nodes],
        initializers: new Map([...graph.initializers, ...emit.initializers]),
        inputs: [{ name: input, type: 'float32', shape: ['batch', 3, height, width] }, ...graph.inputs.filter((i) => i.name !== modelInput)],
        outputs,
        valueInfo: [],
      },
    },
  };
}
