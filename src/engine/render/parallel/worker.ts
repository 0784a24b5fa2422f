import { parentPort } from 'node:worker_threads';
import type { Plane } from '../texture';
import { ViewPass, type ViewTape } from '../view-pass';
import { packing, planeOf, type RenderReply, type RenderRequest, type SharedPlane } from './protocol';

// Render worker: renders and back-propagates the views of a batch the pool assigns to it.
if (!parentPort) throw new Error('the render worker must run in a worker thread');
const port = parentPort;

/** Tapes of the last few batches: a batch is normally back-propagated right after it is rendered. */
const KEPT_BATCHES = 4;

let pass: ViewPass | undefined;
const scenes = new Map<number, Plane>();
const batches = new Map<number, { views: { index: number; tape: ViewTape }[]; levels: SharedPlane[]; width: number; height: number }>();

function handle(message: RenderRequest): RenderReply | undefined {
  switch (message.kind) {
    case 'mask':
      pass = new ViewPass(message.levels.map(planeOf));
      return undefined;
    case 'scene':
      scenes.set(message.id, planeOf(message.scene));
      return undefined;
    case 'render': {
      if (!pass) throw new Error('render before the mask');
      const levels = message.levels.map(planeOf);
      const out = new Float32Array(message.out);
      const views: { index: number; tape: ViewTape }[] = [];
      const quads = message.views.map((job) => {
        const scene = scenes.get(job.scene);
        if (!scene) throw new Error(`render worker has no scene ${job.scene}`);
        const size = 3 * scene.width * scene.height;
        const view = pass!.render(levels, { scene, quads: job.quads, view: job.view, noiseSeed: job.noiseSeed }, out.subarray(job.index * size, (job.index + 1) * size));
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
      const { offsets } = packing(levels);
      const levelGrads = levels.map((l, k) => new Float32Array(message.levelGrads, offsets[k] * 4, l.width * l.height * l.channels));
      // A patch samples one level, usually a small one: only the sampled levels are cleared and written.
      const touched = [...new Set(batch.views.flatMap((v) => v.tape.quads.map((q) => q.level)))].sort((a, b) => a - b);
      for (const k of touched) levelGrads[k].fill(0);
      const grad = new Float32Array(message.grad);
      for (const v of batch.views) pass.backward(v.tape, grad.subarray(v.index * size, (v.index + 1) * size), width, height, levels, levelGrads);
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
