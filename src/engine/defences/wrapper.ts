import type { ClassifierGradient, ClassifierOracle } from '../classifier/classifier';
import type { LogitLoss } from '../classifier/losses';
import type { FloatTensor } from '../tensor/tensor';

/** A classifier that wraps another: same size, classes and labels; subclasses change what it computes. */
export abstract class ClassifierWrapper implements ClassifierOracle {
  constructor(readonly inner: ClassifierOracle) {}

  get width(): number {
    return this.inner.width;
  }

  get height(): number {
    return this.inner.height;
  }

  get classes(): number {
    return this.inner.classes;
  }

  labelOf(index: number): string {
    return this.inner.labelOf(index);
  }

  abstract logits(pixels: FloatTensor): Promise<FloatTensor>;
  abstract gradient(pixels: FloatTensor, loss: LogitLoss): Promise<ClassifierGradient>;

  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}
