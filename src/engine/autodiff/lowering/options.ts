/**
 * Which backward forms the builder emits where several are exact. The defaults are the fastest
 * measured on onnxruntime's CPU provider (BENCHMARKS.md); the others stay selectable so the
 * benchmark can show what each choice is worth.
 */
export interface LoweringOptions {
  /** Stride-1 Conv input gradient: a Conv with flipped, transposed weights, or ConvTranspose. */
  stride1: 'conv' | 'convtranspose';
  /**
   * Strided Conv input gradient: ConvTranspose; `phase` splits it into one stride-1 Conv per
   * output phase interleaved with DepthToSpace; `zero-insert` spreads the gradient with zeros
   * and runs one stride-1 Conv.
   */
  strided: StridedForm;
  /** The same for depthwise convs (and average pooling), whose backward Convs are cheap and memory-bound. */
  stridedDepthwise: StridedForm;
  /**
   * Fewest input channels for the phase and zero-insert forms: below onnxruntime's 8-channel
   * blocks its Conv takes a slow path and ConvTranspose wins (the image gradient of a stem conv).
   */
  stridedMinChannels: number;
  /**
   * Relu/Clip gradient masks: comparisons (Greater/Less + Where), or per-channel affine maps
   * and Mul that stay in onnxruntime's blocked layout (see masks.ts).
   */
  masks: 'compare' | 'affine';
}

export type StridedForm = 'convtranspose' | 'phase' | 'zero-insert';

export const DEFAULT_LOWERING: LoweringOptions = { stride1: 'conv', strided: 'phase', stridedDepthwise: 'convtranspose', stridedMinChannels: 8, masks: 'affine' };
