import { UserError } from '../errors';
import { cutAt, cutBeforeNms, probeInputShapes } from './cut';
import type { Model } from './ir';
import { readModelFile } from './read';

/** `convert FILE.onnx --outputs a,b`: the sub-graph up to those tensors; without names, the graph before its NMS. */
export async function cutOnnxFile(path: string, outputs?: string[]): Promise<{ model: Model; outputs: string[]; message: string }> {
  const model = readModelFile(path);
  const inputs = probeInputShapes(model, path);
  if (outputs && outputs.length > 0) {
    const cut = await cutAt(model, outputs, path);
    return { model: cut, outputs, message: `${path}: cut at ${outputs.map((o) => `'${o}'`).join(', ')}` };
  }
  const nms = await cutBeforeNms(model, inputs, path);
  if (!nms) throw new UserError(`${path}: --outputs is required to cut a graph without NMS`);
  return nms;
}
