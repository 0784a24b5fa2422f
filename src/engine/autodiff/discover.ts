import { UserError } from '../errors';
import type { Model } from '../onnx/ir';
import { probeTensor, runWithIntermediates } from '../onnx/shapes';
import type { DataType, HostTensor } from '../tensor/tensor';
import { formatShape } from '../tensor/tensor';
import { graphConstants, isFloatType, ValueTable, type ValueFacts } from './values';

export interface DiscoveryInput {
  name: string;
  type: DataType;
  /** The input's shape at a given batch size. */
  dims: (batch: number) => number[];
}

/** Integer tensors up to this size are kept as values: shape arithmetic, indices, pads. */
const MAX_INTEGER_VALUES = 4096;

interface Probe {
  facts: Map<string, ValueFacts>;
  integers: Map<string, number[]>;
}

/**
 * Shapes, types and shape-arithmetic values of every value in `model` at `batch`.
 *
 * When the batch is free, the graph runs at batch 1 and 2 and shapes are extrapolated
 * (a dimension that doubles is batch-proportional): running every intermediate of a
 * MobileNetV2 at batch 8 as graph outputs needs ~1 GB, at batch 2 a quarter of that.
 * Integer values that change with the batch are fetched from one run at the real batch.
 */
export async function discoverValues(model: Model, inputs: DiscoveryInput[], batch: number, batchFree: boolean, label = 'model'): Promise<ValueTable> {
  const constants = graphConstants(model.graph);
  if (!batchFree || batch <= 2) {
    const probe = await runProbe(model, inputs, batch);
    return new ValueTable(probe.facts, constants, probe.integers);
  }
  const one = await runProbe(model, inputs, 1);
  const two = await runProbe(model, inputs, 2);
  const facts = new Map<string, ValueFacts>();
  for (const [name, f1] of one.facts) {
    const f2 = two.facts.get(name);
    if (!f2) continue;
    facts.set(name, { type: f1.type, dims: extrapolate(name, f1.dims, f2.dims, batch, label) });
  }
  const integers = new Map<string, number[]>();
  const changing: string[] = [];
  for (const [name, v1] of one.integers) {
    const v2 = two.integers.get(name);
    if (v2 && v1.length === v2.length && v1.every((v, i) => v === v2[i])) integers.set(name, v1);
    else changing.push(name);
  }
  if (changing.length > 0) {
    const feeds = makeFeeds(inputs, batch);
    const exact = await runWithIntermediates(model, feeds, changing);
    for (const name of changing) {
      const t = exact[name];
      if (t) integers.set(name, Array.from(t.data as ArrayLike<number | bigint>, Number));
    }
  }
  return new ValueTable(facts, constants, integers);
}

function extrapolate(name: string, d1: number[], d2: number[], batch: number, label: string): number[] {
  if (d1.length !== d2.length) throw new UserError(`${label}: value '${name}' changes rank with the batch size (${formatShape(d1)} at 1, ${formatShape(d2)} at 2)`);
  return d1.map((a, i) => {
    const b = d2[i];
    if (a === b) return a;
    if (b === 2 * a) return batch * a;
    throw new UserError(`${label}: value '${name}' has shape ${formatShape(d1)} at batch 1 and ${formatShape(d2)} at batch 2; cannot size it for batch ${batch}`);
  });
}

async function runProbe(model: Model, inputs: DiscoveryInput[], batch: number): Promise<Probe> {
  const result = await runWithIntermediates(model, makeFeeds(inputs, batch));
  const facts = new Map<string, ValueFacts>();
  const integers = new Map<string, number[]>();
  for (const input of inputs) facts.set(input.name, { type: input.type, dims: input.dims(batch) });
  for (const [name, t] of Object.entries(result)) {
    facts.set(name, { type: t.type, dims: [...t.dims] });
    if (!isFloatType(t.type) && t.type !== 'string' && t.data.length <= MAX_INTEGER_VALUES) {
      integers.set(name, Array.from(t.data as ArrayLike<number | bigint>, Number));
    }
  }
  return { facts, integers };
}

function makeFeeds(inputs: DiscoveryInput[], batch: number): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  for (const input of inputs) feeds[input.name] = probeTensor(input.type, input.dims(batch));
  return feeds;
}

