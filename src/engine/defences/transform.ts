import type { Rng } from '../random';
import type { FloatTensor } from '../tensor/tensor';

/**
 * A defence that rewrites the input before the model sees it (pixel space, NCHW [0,1], size
 * kept). `apply` draws any randomness once per sample and returns the backward map for that
 * exact draw, so a forward pass and its gradient always agree.
 */
export interface PixelTransform {
  readonly name: string;
  /** Fresh randomness on every call (EOT averages over it). */
  readonly randomised: boolean;
  /** Has a useful gradient; when false, `backward` is BPDA's straight-through identity. */
  readonly differentiable: boolean;
  apply(pixels: FloatTensor, rng: Rng): Promise<TransformStep>;
}

export interface TransformStep {
  output: FloatTensor;
  /** d(loss)/d(input) from d(loss)/d(output) for this draw. */
  backward(grad: FloatTensor): FloatTensor;
}

export interface ChainOptions {
  /**
   * Backward pass through non-differentiable transforms: `true` (default) is BPDA
   * straight-through; `false` uses their true gradient, zero almost everywhere, which shows
   * what gradient masking does to a naive attack.
   */
  bpda?: boolean;
}

/** Applies transforms in order and returns the composed backward map. */
export async function applyChain(transforms: readonly PixelTransform[], pixels: FloatTensor, rng: Rng, options: ChainOptions = {}): Promise<TransformStep> {
  const steps: { step: TransformStep; transform: PixelTransform }[] = [];
  let current = pixels;
  for (const transform of transforms) {
    const step = await transform.apply(current, rng);
    steps.push({ step, transform });
    current = step.output;
  }
  const bpda = options.bpda ?? true;
  return {
    output: current,
    backward(grad) {
      let g = grad;
      for (let i = steps.length - 1; i >= 0; i--) {
        const { step, transform } = steps[i];
        g = transform.differentiable || bpda ? step.backward(g) : { ...g, data: new Float32Array(g.data.length) };
      }
      return g;
    },
  };
}

/** The identity backward map of BPDA (Athalye et al. 2018): treat the step as x -> x. */
export function straightThrough(grad: FloatTensor): FloatTensor {
  return grad;
}
