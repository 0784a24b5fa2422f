import { probeInputShapes } from '../onnx/cut';
import type { Dim, Model } from '../onnx/ir';
import { discoverShapes } from '../onnx/shapes';
import { guessDetectorHead, type HeadGuess } from './decoders/guess';

/**
 * The output shapes of a graph, run once on a probe input where the file leaves them symbolic
 * (PyTorch exports name every dim after a dynamic batch), with the batch dim as declared.
 */
export async function outputShapes(model: Model, label: string): Promise<{ name: string; shape: Dim[] }[]> {
  const outputs = model.graph.outputs;
  if (outputs.every((o) => o.shape && o.shape.slice(1).every((d) => typeof d === 'number'))) return outputs.map((o) => ({ name: o.name, shape: o.shape ?? [] }));
  const shapes = await discoverShapes(model, probeInputShapes(model, label), outputs.map((o) => o.name));
  return outputs.map((o) => {
    const dims = shapes.get(o.name)?.dims ?? [];
    return { name: o.name, shape: dims.map((d, i) => (i === 0 && o.shape?.[0] !== undefined ? o.shape[0] : d)) };
  });
}

/** A detector head recognised from the graph's output layout, or undefined (a classifier, an embedding...). */
export async function guessHeadOfGraph(model: Model, label: string): Promise<HeadGuess | undefined> {
  try {
    return guessDetectorHead(await outputShapes(model, label));
  } catch {
    // A graph that cannot be probed (free spatial size, odd inputs) is simply not guessed.
    return undefined;
  }
}
