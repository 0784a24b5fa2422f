import type { ClassifierGradient, ClassifierOracle } from '../attacks/digital/core/classifier';
import type { LogitLoss } from '../attacks/digital/core/losses';
import { Rng } from '../attacks/digital/core/rng';
import type { FloatTensor } from '../tensor/tensor';
import { applyChain, type ChainOptions, type PixelTransform } from './transform';

/** A classifier behind input transforms: what a deployed pre-processing defence looks like. */
export class TransformedClassifier implements ClassifierOracle {
  private readonly rng: Rng;

  constructor(
    readonly inner: ClassifierOracle,
    readonly transforms: readonly PixelTransform[],
    private readonly options: ChainOptions & { seed?: number } = {},
  ) {
    this.rng = new Rng(options.seed ?? 0);
  }

  get width(): number {
    return this.inner.width;
  }

  get height(): number {
    return this.inner.height;
  }

  get classes(): number {
    return this.inner.classes;
  }

  get randomised(): boolean {
    return this.transforms.some((t) => t.randomised);
  }

  labelOf(index: number): string {
    return this.inner.labelOf(index);
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

  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}
