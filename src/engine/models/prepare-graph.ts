import { UserError } from '../errors';
import { cutAt, cutBeforeNms, hasNms, probeInputShapes } from '../onnx/cut';
import type { Model } from '../onnx/ir';
import { DEFAULT_MIN_SCORE, guessDetectorHead } from './decoders/guess';
import { outputShapes } from './detect-head';
import type { Head } from './manifest';

export interface PreparedGraph {
  model: Model;
  /** Whether the graph was cut (its bytes must be rewritten). */
  cut: boolean;
  /** The head to record: the guess, or the given detector head with its output roles filled in. */
  head?: Head;
  /** Detectors: the number of classes the head's score output holds, where its shape says. */
  classes?: number;
  notes: string[];
}

/**
 * What `models import` does to an ONNX graph before it records a manifest: cut it at
 * `--outputs` (or before an NMS inside), then recognise the detector layout from the output
 * shapes, or fill in which output plays which role for a `--head` the user named.
 */
export async function prepareGraph(model: Model, label: string, head: Head | undefined, outputs?: string[], detectorOptions: Record<string, unknown> = {}): Promise<PreparedGraph> {
  const notes: string[] = [];
  let graph = model;
  let cut = false;
  if (outputs && outputs.length > 0) {
    graph = await cutAt(model, outputs, label);
    cut = true;
    notes.push(`${label}: cut at ${graph.graph.outputs.map((o) => `'${o.name}' [${(o.shape ?? []).join(',')}]`).join(', ')}`);
  } else {
    // Only a graph with NMS is probed (a graph with a free input size cannot be, and needs no cut).
    const nms = hasNms(model)
      ? await Promise.resolve()
          .then(() => cutBeforeNms(model, probeInputShapes(model, label), label))
          .catch((error: unknown) => {
            if (head) return undefined;
            throw error;
          })
      : undefined;
    if (nms) {
      graph = nms.model;
      cut = true;
      notes.push(nms.message);
    }
  }
  if (head?.kind === 'detector' && head.options.minScore === undefined && DEFAULT_MIN_SCORE[head.decoder] !== undefined) head = { ...head, options: { ...head.options, minScore: DEFAULT_MIN_SCORE[head.decoder] } };
  if (head && (head.kind !== 'detector' || Object.keys(head.outputs).length > 0)) return { model: graph, cut, head, notes };
  const done = (h: Head | undefined): PreparedGraph => ({ model: graph, cut, head: h, notes, ...(h?.kind === 'detector' ? definedClasses(h, shapes) : {}) });
  // Output shapes need a probe run where the file leaves them symbolic; a graph that cannot be probed is not guessed.
  const shapes = await outputShapes(graph, label).catch(() => graph.graph.outputs.map((o) => ({ name: o.name, shape: o.shape ?? [] })));
  const guess = guessDetectorHead(shapes);
  if (!head) {
    const given = Object.keys(detectorOptions);
    if (given.length > 0 && !guess) throw new UserError(`${label}: ${given.map(optionFlag).join(', ')} apply to a detector head, and none was recognised from the outputs; name it with --head`);
    if (guess) notes.push(`guessed head ${guess.reason} (--head overrides)`);
    return done(guess ? { ...guess.head, options: { ...guess.head.options, ...detectorOptions } } : undefined);
  }
  // A named detector head without roles: take the output mapping from the guess when it agrees, else by position.
  const family = (d: string) => (d === 'yolo-v11' ? 'yolo-v8' : d);
  if (guess && family(guess.head.decoder) === family(head.decoder)) return done({ ...head, outputs: guess.head.outputs });
  const names = shapes.map((s) => s.name);
  const roles: Record<string, Record<string, string>> = {
    'yolo-v5': { output: names[0] },
    'yolo-v8': { output: names[0] },
    'yolo-v11': { output: names[0] },
    ssd: byLastDim(shapes, 'boxes', 'scores'),
    detr: byLastDim(shapes, 'boxes', 'logits'),
  };
  const mapped = roles[head.decoder];
  if (!mapped) throw new UserError(`${label}: --head ${head.decoder} needs its outputs named in a manifest (outputs: ${names.join(', ')})`);
  notes.push(`${label}: ${head.decoder} reads ${Object.entries(mapped).map(([r, n]) => `${r} = '${n}'`).join(', ')}`);
  return done({ ...head, outputs: mapped });
}

/** Classes a detector head's score output holds: [B,N,5+C], [B,4+C,N], or K columns less background / no-object. */
function definedClasses(head: Extract<Head, { kind: 'detector' }>, shapes: { name: string; shape: unknown[] }[]): { classes?: number } {
  const dims = (role: string) => shapes.find((s) => s.name === head.outputs[role])?.shape;
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const minus = (v: unknown, k: number) => (num(v) === undefined ? undefined : (v as number) - k);
  const bg = head.options.background === 'none' ? 0 : 1;
  const classes =
    head.decoder === 'yolo-v5' ? minus(dims('output')?.[2], 5)
    : head.decoder === 'yolo-v8' || head.decoder === 'yolo-v11' ? minus(dims('output')?.[1], 4)
    : head.decoder === 'ssd' ? minus(dims('scores')?.[2], bg)
    : head.decoder === 'detr' ? minus(dims('logits')?.[2], head.options.noObject === 'none' ? 0 : 1)
    : undefined;
  return classes === undefined ? {} : { classes };
}

function byLastDim(shapes: { name: string; shape: unknown[] }[], boxesRole: string, otherRole: string): Record<string, string> {
  const boxes = shapes.find((s) => s.shape[s.shape.length - 1] === 4) ?? shapes[0];
  const other = shapes.find((s) => s !== boxes) ?? shapes[0];
  return { [boxesRole]: boxes.name, [otherRole]: other.name };
}

function optionFlag(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
