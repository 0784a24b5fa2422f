import { floatTensor } from '../../tensor/tensor';
import { clip01 } from '../../classifier/batch';
import { type AttackInput, type AttackOutput, lossLabels } from './goal';
import { CrossEntropyLoss } from '../../classifier/losses';

export interface FgsmOptions {
  /** L-inf budget in pixel units, e.g. 8/255. */
  eps: number;
}

/**
 * Fast Gradient Sign Method (Goodfellow et al. 2015): one step of size eps along the sign of
 * the cross-entropy gradient; targeted (Kurakin et al.) descends the target's cross-entropy.
 */
export async function fgsm(input: AttackInput, options: FgsmOptions): Promise<AttackOutput> {
  const { x0 } = input;
  const loss = new CrossEntropyLoss(lossLabels(input), input.targets !== undefined);
  const { grad } = await input.classifier.gradient(x0, loss);
  const x = floatTensor(x0.dims);
  for (let i = 0; i < x.data.length; i++) x.data[i] = x0.data[i] + options.eps * Math.sign(grad.data[i]);
  clip01(x);
  return { adversarial: x, queries: new Array(x0.dims[0]).fill(1) };
}
