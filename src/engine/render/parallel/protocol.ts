import type { Region } from '../blur';
import type { ViewParams } from '../eot';
import type { Quad } from '../../../shared/homography';
import type { Plane } from '../texture';

/** A plane whose values live in shared memory, as it crosses to a render worker. */
export interface SharedPlane {
  width: number;
  height: number;
  channels: number;
  data: SharedArrayBuffer;
  /** Float offset of the plane's first value in `data`. */
  offset: number;
}

/** One view of a batch as a worker renders it: the scene by its id, written at `index` in the output. */
export interface ViewJob {
  index: number;
  scene: number;
  quads: readonly Quad[];
  view: ViewParams;
  noiseSeed: number;
}

export type RenderRequest =
  /** The patch mask's mip levels, once per worker. */
  | { kind: 'mask'; levels: SharedPlane[] }
  /** A scene, once per worker per scene; views then name it by id. */
  | { kind: 'scene'; id: number; scene: SharedPlane }
  /** Forget a scene (the parent keeps a bounded set live, so streamed scene sets do not pile up in workers). */
  | { kind: 'drop'; id: number }
  /** Render `views` of the printed patch's `levels` into `out` ([B, 3, H, W]); the worker keeps their tapes under `batch`. */
  | { kind: 'render'; call: number; batch: number; levels: SharedPlane[]; views: ViewJob[]; out: SharedArrayBuffer }
  /**
   * Back-propagate the views this worker rendered for `batch` from `grad` ([B, 3, H, W]) into
   * `levelGrads` (its own buffer, all levels one after another). Only the levels its patches
   * sampled are written (the reply lists them); the rest of the buffer is stale.
   */
  | { kind: 'backward'; call: number; batch: number; grad: SharedArrayBuffer; levelGrads: SharedArrayBuffer }
  /** Add parts[1..] into parts[0] over floats [from, to), in order: the workers sum their level gradients in parallel, each over one slice. */
  | { kind: 'reduce'; call: number; parts: SharedArrayBuffer[]; from: number; to: number };

/** A worker's answer to a call: for a render, where the patches landed and which pixels' gradient it will read; nothing for backward; or what went wrong. */
export interface RenderReply {
  call: number;
  quads?: Quad[][];
  reaches?: Region[];
  /** For a backward call, the mip levels it wrote. */
  levels?: number[];
  error?: string;
}

export function sharedPlane(plane: Plane): SharedPlane {
  const data = new SharedArrayBuffer(plane.data.byteLength);
  new Float32Array(data).set(plane.data);
  return { width: plane.width, height: plane.height, channels: plane.channels, data, offset: 0 };
}

export function planeOf(shared: SharedPlane): Plane {
  const { width, height, channels } = shared;
  return { width, height, channels, data: new Float32Array(shared.data, shared.offset * 4, width * height * channels) };
}

/** Float offsets of consecutive planes packed into one buffer, and the total. */
export function packing(planes: readonly { width: number; height: number; channels: number }[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (const p of planes) {
    offsets.push(total);
    total += p.width * p.height * p.channels;
  }
  return { offsets, total };
}
