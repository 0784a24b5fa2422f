import type { ClassifierGradient, ClassifierOracle } from '../classifier/classifier';
import type { LogitLoss } from '../classifier/losses';
import { Rng } from '../random';
import type { FloatTensor } from '../tensor/tensor';
import { applyChain, type ChainOptions, type PixelTransform } from './transform';
import { ClassifierWrapper } from './wrapper';

/** A classifier behind input transforms: what a deployed pre-processing defence looks like. */
export class TransformedClassifier extends ClassifierWrapper {
  private readonly rng: Rng;

  constructor(
    inner: ClassifierOracle,
    readonly transforms: readonly PixelTransform[],
    private readonly options: ChainOptions & { seed?: number } = {},
  ) {
    super(inner);
    this.rng = new Rng(options.seed ?? 0);
  }

  get randomised(): boolean {
    return this.transforms.some((t) => t.randomised);
  }

  async logits(pixels: FloatTensor): Promise<FloatTensor> {
    const step = await applyChain(this.transforms, pixels, this.rng, this.options);
    return this.inner.logits(step.output);
  }

  async gradient(pixels: FloatTensor, loss: LogitLoss): Promise<ClassifierGradient> {
    const step = await applyChain(this.transforms, pixels, this.rng, this.options);
    const r = await this.inner.gradient(step.output, loss);
    return { ...r, grad: step.backward(r.grad) };
  }
}
