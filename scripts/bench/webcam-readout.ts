import { median } from '../../src/engine/autodiff/benchmark';

/** One sample of the Webcam screen's `benchmark` readout (Webcam.svelte). */
export interface WebcamReadout {
  fps: number;
  /** Frame sent to answer received, as the page measures it. */
  roundTripMs: number;
  /** The engine's decode + inference; absent before the first answer (`–`). */
  engineMs?: number;
  /** Grabbing the frame from the video (drawImage + getImageData). */
  grabMs: number;
}

/** Reads `9.0 FPS round trip 131 ms engine 61 ms grab 5 ms frame 512×512`; undefined when it does not read. */
export function parseWebcamReadout(text: string): WebcamReadout | undefined {
  const flat = text.replace(/\s+/g, ' ');
  const fps = /([\d.]+) FPS/.exec(flat);
  const trip = /round trip ([\d.]+) ms/.exec(flat);
  const engine = /engine ([\d.]+|–) ms/.exec(flat);
  const grab = /grab ([\d.]+) ms/.exec(flat);
  if (!fps || !trip || !grab) return undefined;
  return { fps: Number(fps[1]), roundTripMs: Number(trip[1]), engineMs: engine && engine[1] !== '–' ? Number(engine[1]) : undefined, grabMs: Number(grab[1]) };
}

export interface WebcamSummary {
  samples: number;
  fps: { median: number; min: number; max: number };
  roundTripMs: number;
  engineMs?: number;
  /** Round trip minus engine: moving the frame and the answer between page and engine, and waiting in queues. */
  transferMs?: number;
  grabMs: number;
}

/** Medians over the readouts that read; undefined when none did. */
export function summariseWebcam(texts: readonly string[]): WebcamSummary | undefined {
  const readouts = texts.map(parseWebcamReadout).filter((r): r is WebcamReadout => r !== undefined);
  if (readouts.length === 0) return undefined;
  const fps = readouts.map((r) => r.fps);
  const engines = readouts.map((r) => r.engineMs).filter((v): v is number => v !== undefined);
  const roundTripMs = median(readouts.map((r) => r.roundTripMs));
  const engineMs = engines.length > 0 ? median(engines) : undefined;
  return {
    samples: readouts.length,
    fps: { median: median(fps), min: Math.min(...fps), max: Math.max(...fps) },
    roundTripMs,
    engineMs,
    transferMs: engineMs !== undefined ? Math.max(0, roundTripMs - engineMs) : undefined,
    grabMs: median(readouts.map((r) => r.grabMs)),
  };
}
