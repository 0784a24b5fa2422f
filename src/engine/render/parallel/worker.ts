import { parentPort } from 'node:worker_threads';
import type { Plane } from '../texture';
import { ViewPass, type ViewTape } from '../view-pass';
import { packing, planeOf, type RenderReply, type RenderRequest, type SharedPlane } from './protocol';

// Render worker: renders and back-propagates the views of a batch the pool assigns to it.
//
// Typed arrays over shared memory measured ~1.4x slower than ordinary ones in the noise-and-clip
// loop (Node 20), so the worker copies what it receives into its own memory
// (scenes and mask once, the mip levels per batch), renders a view into its own buffer and
// copies the finished view out, and accumulates level gradients privately.
if (!parentPort) throw new Error('the render worker must run in a worker thread');
const port = parentPort;

/** Tapes of the last few batches: a batch is normally back-propagated right after it is rendered. */
const KEPT_BATCHES = 4;

let pass: ViewPass | undefined;
const scenes = new Map<number, Plane>();
const batches = new Map<number, { views: { index: number; tape: ViewTape }[]; levels: SharedPlane[]; width: number; height: number }>();
const own = new Map<string, Float32Array>();

/** A private buffer of at least `size` floats, reused across calls (contents undefined). */
function scratch(name: string, size: number): Float32Array {
  let b = own.get(name);
  if (!b || b.length < size) {
    b = new Float32Array(size);
    own.set(name, b);
  }
  return b.subarray(0, size);
}

function privateCopy(shared: SharedPlane): Plane {
  const p = planeOf(shared);
  return { ...p, data: p.data.slice() };
}

/** The levels as planes over one private buffer (copied from shared memory, or fresh for gradients). */
function privateLevels(levels: readonly SharedPlane[], name: string, copy: boolean): Plane[] {
  const { offsets, total } = packing(levels);
  const buffer = scratch(name, total);
  return levels.map((l, k) => {
    const data = buffer.subarray(offsets[k], offsets[k] + l.width * l.height * l.channels);
    if (copy) data.set(planeOf(l).data);
    return { width: l.width, height: l.height, channels: l.channels, data };
  });
}

function handle(message: RenderRequest): RenderReply | undefined {
  switch (message.kind) {
    case 'mask':
      pass = new ViewPass(message.levels.map(privateCopy));
      return undefined;
    case 'scene':
      scenes.set(message.id, privateCopy(message.scene));
      return undefined;
    case 'drop':
      scenes.delete(message.id);
      return undefined;
    case 'render': {
      if (!pass) throw new Error('render before the mask');
      const levels = privateLevels(message.levels, 'levels', true);
      const out = new Float32Array(message.out);
      const views: { index: number; tape: ViewTape }[] = [];
      const quads = message.views.map((job) => {
        const scene = scenes.get(job.scene);
        if (!scene) throw new Error(`render worker has no scene ${job.scene}`);
        const size = 3 * scene.width * scene.height;
        const image = scratch('view', size);
        const view = pass!.render(levels, { scene, quads: job.quads, view: job.view, noiseSeed: job.noiseSeed }, image);
        out.set(image, job.index * size);
        views.push({ index: job.index, tape: view.tape });
        return view.quads;
      });
      const first = scenes.get(message.views[0].scene)!;
      batches.set(message.batch, { views, levels: message.levels, width: first.width, height: first.height });
      for (const old of batches.keys()) if (batches.size > KEPT_BATCHES) batches.delete(old);
      return { call: message.call, quads, reaches: views.map((v) => v.tape.reach) };
    }
    case 'backward': {
      const batch = batches.get(message.batch);
      if (!pass || !batch) throw new Error(`render worker no longer holds batch ${message.batch}`);
      const { width, height, levels } = batch;
      const size = 3 * width * height;
      const grads = privateLevels(levels, 'level grads', false);
      // A patch samples one level, usually a small one: only the sampled levels are cleared, written and sent.
      const touched = [...new Set(batch.views.flatMap((v) => v.tape.quads.map((q) => q.level)))].sort((a, b) => a - b);
      for (const k of touched) grads[k].data.fill(0);
      const grad = new Float32Array(message.grad);
      const levelGrads = grads.map((g) => g.data);
      for (const v of batch.views) pass.backward(v.tape, grad.subarray(v.index * size, (v.index + 1) * size), width, height, levels, levelGrads);
      const { offsets } = packing(levels);
      for (const k of touched) new Float32Array(message.levelGrads, offsets[k] * 4, levelGrads[k].length).set(levelGrads[k]);
      return { call: message.call, levels: touched };
    }
    case 'reduce': {
      const { from, to } = message;
      const sum = new Float32Array(message.parts[0], from * 4, to - from);
      for (const part of message.parts.slice(1)) {
        const add = new Float32Array(part, from * 4, to - from);
        for (let j = 0; j < sum.length; j++) sum[j] += add[j];
      }
      return { call: message.call };
    }
  }
}

port.on('message', (message: RenderRequest) => {
  try {
    const reply = handle(message);
    if (reply) port.postMessage(reply);
  } catch (error) {
    if ('call' in message) port.postMessage({ call: message.call, error: (error as Error).message ?? String(error) } satisfies RenderReply);
    else throw error;
  }
});
