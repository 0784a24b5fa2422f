import type { HostTensor } from '../tensor/tensor';
import type { TopClass } from './types';

export type Activation = 'logits' | 'probabilities' | 'sigmoid' | 'auto';

/** Scores of row `b` of a [N, C] (or [N, C, 1, 1]) output, as probabilities. */
export function rowProbabilities(output: HostTensor, b: number, activation: Activation): Float64Array {
  const batch = output.dims[0] ?? 1;
  const classes = output.data.length / batch;
  const row = new Float64Array(classes);
  for (let i = 0; i < classes; i++) row[i] = Number(output.data[b * classes + i]);
  const mode = activation === 'auto' ? (looksLikeProbabilities(row) ? 'probabilities' : 'logits') : activation;
  if (mode === 'probabilities') return row;
  if (mode === 'sigmoid') return row.map((v) => 1 / (1 + Math.exp(-v)));
  return softmax(row);
}

function looksLikeProbabilities(row: Float64Array): boolean {
  let sum = 0;
  for (const v of row) {
    if (v < 0 || v > 1) return false;
    sum += v;
  }
  return Math.abs(sum - 1) < 1e-3;
}

export function softmax(row: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  const out = row.map((v) => Math.exp(v - max));
  const sum = out.reduce((a, b) => a + b, 0);
  return out.map((v) => v / sum);
}

export function topK(probs: Float64Array, k: number, labelOf: (i: number) => string): TopClass[] {
  const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a]);
  return order.slice(0, Math.max(1, k)).map((index) => ({ index, label: labelOf(index), prob: probs[index] }));
}
