/** The "where the time goes" tables under the goals' summary: one per goal, from what its row measured. */
import type { GradientProfile } from './gradient-profile';
import { count, table } from './markdown';
import type { PatchMeasurement } from './patch-row';
import type { WebcamSummary } from './webcam-readout';

const share = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(0)}%`;

/** Top op types by self (kernel) time, and the slowest nodes. */
export function profileTables(title: string, p: GradientProfile, top = 8): string {
  return [
    `${title}: onnxruntime's profile of the ${p.forwardOnly ? 'forward' : 'forward + input gradient'} graph, batch ${p.batch}, ` +
      `one session on ${p.threads === 1 ? 'one thread' : `${p.threads} threads`}, ${count(p.runs, 'profiled run')}: ${p.wallMs.toFixed(0)} ms wall and ${p.kernelMs.toFixed(0)} ms of kernel time per run.`,
    '',
    table(['op type', 'self ms per run', 'share', 'nodes'], p.byType.slice(0, top).map((t) => [t.op, t.ms.toFixed(1), share(t.ms, p.kernelMs), String(t.nodes)])),
    '',
    table(['slowest node', 'op', 'ms per run', 'output'], p.byNode.slice(0, 5).map((n) => [n.name.slice(0, 60), n.op, n.ms.toFixed(1), n.shape])),
  ].join('\n');
}

export function webcamTable(w: WebcamSummary): string {
  const frame = 1000 / w.fps.median;
  const rows: string[][] = [
    ['frame interval (1000 / FPS)', frame.toFixed(0), '100%'],
    ['round trip (frame sent to answer received)', w.roundTripMs.toFixed(0), share(w.roundTripMs, frame)],
  ];
  if (w.engineMs !== undefined) rows.push(['– engine: decode + inference', w.engineMs.toFixed(0), share(w.engineMs, frame)]);
  if (w.transferMs !== undefined) rows.push(['– transfer and queueing (round trip − engine)', w.transferMs.toFixed(0), share(w.transferMs, frame)]);
  rows.push(['grab (drawImage + getImageData on the page)', w.grabMs.toFixed(0), share(w.grabMs, frame)]);
  return [
    `The Webcam screen's own \`benchmark\` readout, medians of ${w.samples} samples (FPS ${w.fps.median.toFixed(1)}, ${w.fps.min.toFixed(1)}–${w.fps.max.toFixed(1)}). ` +
      'With frames in flight the parts overlap, so they need not add up to the frame interval.',
    '',
    table(['part', 'ms', 'of a frame interval'], rows),
  ].join('\n');
}

export function patchTable(p: PatchMeasurement): string {
  const rows: string[][] = [
    ['render (compositor forward, scenes loaded ahead)', p.split.render],
    ['model (centernet forward + backward, session workers)', p.split.model],
    ['backward (compositor adjoint)', p.split.backward],
    ['rest (NPS, TV, Adam, metrics)', p.split.rest],
  ].map(([what, v]) => [what as string, ((v as number) / 1000).toFixed(2), share(v as number, p.stepMs)]);
  rows.push(['step (wall)', (p.stepMs / 1000).toFixed(2), '100%']);
  if (p.cpuMs !== undefined) rows.push(['step (process CPU time)', (p.cpuMs / 1000).toFixed(2), share(p.cpuMs, p.stepMs)]);
  return [
    `Mean of ${count(p.timedSteps, 'step')} after ${count(p.warmup, 'warm-up step')}, batch ${p.batch}, on ${p.scenes.join(', ')} ` +
      `(resources/scenes/samples). Outside the steps (model load, graph build, scene preparation, final files): ${(p.onceMs / 1000).toFixed(0)} s once. ` +
      `${p.steps} steps ≈ ${(p.onceMs / 1000).toFixed(0)} s + ${p.steps} × ${(p.stepMs / 1000).toFixed(2)} s = **${p.minutes.toFixed(1)} min**.`,
    '',
    table(['part of a step', 's per step', 'share'], rows),
  ].join('\n');
}
