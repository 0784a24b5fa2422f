import type * as TfCore from '@tensorflow/tfjs-core';
import type { TfDtype, TfNode, TfNodeJson } from './graph';
import { tfjs } from './runtime';
import type { ConstData } from './values';

const DT: Record<TfDtype, string> = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL', string: 'DT_STRING' };

/**
 * Evaluates one TF node on constant inputs with TF.js itself, so folded values follow TF.js's
 * semantics for every op exactly (no second implementation to drift). Returns undefined when
 * TF.js cannot run the node on its own (control flow, resources).
 */
export async function foldNode(node: TfNode, json: TfNodeJson, inputs: ConstData[], outputCount: number): Promise<ConstData[] | undefined> {
  const tf = await tfjs();
  const { loadGraphModelSync } = await import('@tensorflow/tfjs-converter');
  const placeholders: TfNodeJson[] = inputs.map((c, i) => ({ name: `__fold_input_${i}`, op: 'Placeholder', attr: { dtype: { type: DT[c.dtype] } } }));
  const copy: TfNodeJson = { ...json, input: placeholders.map((p) => p.name) };
  const feeds: Record<string, TfCore.Tensor> = {};
  inputs.forEach((c, i) => (feeds[placeholders[i].name] = tf.tensor(c.data as Float32Array, c.shape, c.dtype as TfCore.DataType)));
  const fetch = Array.from({ length: outputCount }, (_, k) => `${node.name}:${k}`);
  try {
    const model = loadGraphModelSync({ modelTopology: { node: [...placeholders, copy] }, weightSpecs: [], weightData: new ArrayBuffer(0) });
    const result = await model.executeAsync(feeds, fetch);
    const tensors = Array.isArray(result) ? result : [result];
    const out = tensors.map((t) => toConst(t));
    tf.dispose(tensors);
    return out;
  } catch {
    return undefined;
  } finally {
    tf.dispose(Object.values(feeds));
  }
}

function toConst(t: TfCore.Tensor): ConstData {
  const dtype = t.dtype === 'int32' || t.dtype === 'bool' || t.dtype === 'float32' ? t.dtype : undefined;
  if (!dtype) throw new Error(`folded tensor has dtype ${t.dtype}`);
  const values = t.dataSync();
  const data = dtype === 'float32' ? Float32Array.from(values as Float32Array) : dtype === 'int32' ? Int32Array.from(values as Int32Array) : Uint8Array.from(values as Uint8Array);
  return { dtype, shape: [...t.shape], data };
}
