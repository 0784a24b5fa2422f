import { ClassifierWrapper } from '../../defences/wrapper';
import type { FloatTensor } from '../../tensor/tensor';
import type { ClassifierGradient, ClassifierOracle } from '../../classifier/classifier';
import type { LogitLoss } from '../../classifier/losses';

/**
 * A classifier that waits on `checkpoint` before every query. Attacks query the model at every
 * step, so a checkpoint that waits while the user has paused and throws once they stop makes a
 * run pausable and stoppable within one model call, without touching the attacks.
 */
export class ControlledClassifier extends ClassifierWrapper {
  constructor(
    inner: ClassifierOracle,
    private readonly checkpoint: () => Promise<void>,
  ) {
    super(inner);
  }

  async logits(pixels: FloatTensor): Promise<FloatTensor> {
    await this.checkpoint();
    return this.inner.logits(pixels);
  }

  async gradient(pixels: FloatTensor, loss: LogitLoss): Promise<ClassifierGradient> {
    await this.checkpoint();
    return this.inner.gradient(pixels, loss);
  }
}
