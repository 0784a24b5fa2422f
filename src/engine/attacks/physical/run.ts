import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import sharp from 'sharp';
import { firstLine, UserError } from '../../errors';
import { decodeImage } from '../../image/image';
import { resizeImage } from '../../image/resize';
import { loadModel } from '../../models/loaded';
import { packageRoot } from '../../paths';
import { loadPalette as loadPaletteFile, type Palette } from '../../color/index';
import type { SceneSample } from '../../render/compositor';
import { createBatchRenderer, type BatchRenderer } from '../../render/renderer';
import { printerColourModel } from '../../render/printer';
import { sampleView } from '../../render/eot';
import { Rng, mixSeed } from '../../random';
import { describeShape, shapeMask, type PatchMask } from '../../render/shapes';
import { makePlane, type Plane } from '../../render/texture';
import { patchPng, planeToRgb, sampleGrid } from '../../runs/artifacts';
import type { Checkpoint } from '../../runs/checkpoint';
import { RUN_FILES, RunStore, type RunRecord } from '../../runs/store';
import { resolveAttackConfig, type PhysicalAttackConfig, type PhysicalAttackInput } from './config';
import type { GradientOracle } from '../../autodiff/oracle';
import type { FaceDetector } from './faces';
import { targetFromModel } from './model-target';
import { initialState, learningRate, optimiserStep } from './optimiser';
import { prepareAttack, predictPlanes, type Prepared } from './prepare';
import { disguiseDistance, nonPrintability, totalVariation } from './regularisers';
import { rasterToPlane } from './scenes';
import type { AttackTarget } from './target';
import { seenScenes } from '../../scenes/protocol';
import { makeValidator, type Validator } from './validate';
import { parseSetSpec } from '../../scenes/resolve';

/** One progress event: what the CLI's bar and the desktop app show. */
export interface PhysicalProgress {
  runDir: string;
  /** Steps completed. */
  step: number;
  steps: number;
  /** Minimised objective and its parts (task loss as the model reports it, regularisers weighted). */
  loss: number;
  terms: Record<string, number>;
  /** Fraction of this step's views where the goal is met. */
  success: number;
  stepsPerSecond: number;
  etaSeconds: number;
  elapsedSeconds: number;
  /** A small PNG of the current patch, every few steps. */
  preview?: { width: number; height: number; png: Uint8Array };
}

export interface PhysicalRunOptions {
  onProgress?: (p: PhysicalProgress) => void;
  /** Messages worth showing once (skipped scenes, missing palette...). */
  onNote?: (message: string) => void;
  /** Aborting pauses the run: it checkpoints and returns with status 'paused'. */
  signal?: AbortSignal;
  /** The model under attack; built from `config.model` via the zoo when absent. */
  target?: AttackTarget;
  faceDetector?: FaceDetector;
  /** The detector as a model for the keep-detectable term (tests pass a small one). */
  faceDetectorModel?: AttackTarget;
  /** Steps between patch previews in progress events (0 = none). */
  previewEvery?: number;
}

export interface PhysicalRunResult {
  dir: string;
  status: 'done' | 'paused';
  stepsDone: number;
  earlyStopped: boolean;
  /** Mean batch success over the last 10 steps. */
  recentSuccess: number;
}

/** Starts a physical attack run in `outDir` and optimises until done, paused or early-stopped. */
export async function runPhysicalAttack(input: PhysicalAttackInput, outDir: string, options: PhysicalRunOptions = {}): Promise<PhysicalRunResult> {
  const config = resolveAttackConfig(input);
  RunStore.assertCreatable(outDir);
  const target = options.target ?? targetFromModel(await loadModel(config.model));
  const setup = await prepareRun(config, target, options);
  stepsFromEpochs(config, setup);
  const store = RunStore.create(outDir);
  const record: RunRecord = {
    id: `${config.attack}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    kind: `attack/${config.attack}`,
    created: new Date().toISOString(),
    updated: new Date().toISOString(),
    status: 'running',
    config: config as unknown as Record<string, unknown>,
    model: { name: target.name, hash: target.hash, width: target.width, height: target.height, task: target.task },
    versions: versions(),
    seed: config.seed,
    steps: { done: 0, total: config.steps },
    scenes: setup.prepared.files,
    seen: await seenScenes([config.scenes, config.valScenes], parseSetSpec(config.scenes) ? [] : setup.prepared.files),
    notes: setup.notes,
  };
  return writing(store, record, async () => {
    store.writeRecord(record);
    return optimise(store, record, config, target, setup, undefined, options);
  });
}

/** Runs `work` as the folder's one writer: an error ends the run as 'failed' with its reason, and the lock is always released. */
async function writing<T>(store: RunStore, record: RunRecord, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    store.markFailed(record, firstLine(error));
    throw error;
  } finally {
    store.release();
  }
}

/** Continues a run from its last checkpoint; what the uninterrupted run would have done, minus nothing. */
export async function resumePhysicalAttack(runDir: string, options: PhysicalRunOptions & { steps?: number } = {}): Promise<PhysicalRunResult> {
  const store = RunStore.openForWriting(runDir);
  let setup: RunSetup;
  let config: PhysicalAttackConfig;
  let target: AttackTarget;
  let record: RunRecord;
  try {
    record = store.readRecord();
    config = resolveAttackConfig({ ...(record.config as unknown as PhysicalAttackInput), ...(options.steps ? { steps: options.steps } : {}) });
    target = options.target ?? targetFromModel(await loadModel(config.model));
    if (target.hash !== record.model.hash) throw new UserError(`${runDir}: the run was made with a different ${record.model.name} (hash ${record.model.hash.slice(0, 12)}…)`);
    setup = await prepareRun(config, target, options);
    stepsFromEpochs(config, setup);
  } catch (error) {
    // A resume that cannot start leaves the run as it was.
    store.release();
    throw error;
  }
  return writing(store, record, async () => {
    const checkpoint = store.loadCheckpoint();
    store.truncateMetrics(checkpoint?.step ?? 0);
    record.status = 'running';
    delete record.error;
    record.steps.total = config.steps;
    record.config = config as unknown as Record<string, unknown>;
    return optimise(store, record, config, target, setup, checkpoint, options);
  });
}

/** Everything a run needs before its first step; built before the run folder exists so a bad setup leaves nothing behind. */
interface RunSetup {
  mask: PatchMask;
  prepared: Prepared;
  /** Printable colours for NPS, [0, 1] RGB. */
  palette: [number, number, number][];
  disguise?: Plane;
  compositor: BatchRenderer;
  oracle: GradientOracle;
  validator?: Validator;
  notes: string[];
}

/** `epochs` passes over the training scenes decide the step count (the data size sets it, not a fixed number). */
function stepsFromEpochs(config: PhysicalAttackConfig, setup: RunSetup): void {
  if (config.epochs === undefined) return;
  config.steps = Math.max(1, Math.ceil((config.epochs * setup.prepared.planes.length) / config.batch));
  if (!setup.notes.some((n) => n.startsWith('epochs:'))) setup.notes.push(`epochs: ${config.epochs} x ${setup.prepared.planes.length} scenes / batch ${config.batch} = ${config.steps} steps`);
}

async function prepareRun(config: PhysicalAttackConfig, target: AttackTarget, options: PhysicalRunOptions): Promise<RunSetup> {
  const notes: string[] = [];
  const note = (m: string): void => {
    notes.push(m);
    options.onNote?.(m);
  };
  const mask = await shapeMask(config.shape, config.resolution);
  const prepared = await prepareAttack(config, target, mask, { faceDetector: options.faceDetector, faceDetectorModel: options.faceDetectorModel, onNote: note });
  const palette = loadPaletteFile(config.palette);
  if (palette.calibration === undefined && config.palette !== 'default') note(`palette ${palette.name} is not calibrated: NPS uses its intended colours and the printer model is the identity`);
  const printer = config.printerModel ? printerColourModel(palette.model) : undefined;
  const disguise = config.disguise ? await loadDisguise(config.disguise, mask.mask) : undefined;
  const oracle = await target.createOracle(prepared.objective.loss, prepared.objective.outputs);
  const compositor = createBatchRenderer(mask.mask, printer);
  const validator = await makeValidator(config, target, mask, compositor, note);
  if (validator) note(`validation: ${validator.objects} ${config.class ?? 'object'}(s) in ${validator.scenes} scene(s) of ${config.valScenes}, ${validator.views} view(s) each as eval draws them, every ${config.valEvery} steps; the best patch is kept`);
  return { mask, prepared, palette: config.weights.nps > 0 ? triplets(palette) : [], disguise, compositor, oracle, validator, notes };
}

async function optimise(store: RunStore, record: RunRecord, config: PhysicalAttackConfig, target: AttackTarget, setup: RunSetup, checkpoint: Checkpoint | undefined, options: PhysicalRunOptions): Promise<PhysicalRunResult> {
  const { mask, prepared, palette, disguise, compositor, oracle, validator } = setup;
  let best: { score: number; step: number; texture: Float32Array } | undefined;
  let stale = 0;
  const notes: string[] = [];
  const note = (m: string): void => {
    notes.push(m);
    options.onNote?.(m);
  };
  for (const n of setup.notes) if (!record.notes.includes(n)) record.notes.push(n);
  const texture = checkpoint ? makePlane(checkpoint.width, checkpoint.height, 3, checkpoint.texture) : initialTexture(config, mask);
  const opt = checkpoint ? { ...checkpoint.optimiser } : initialState(texture.data.length);
  const recent = checkpoint ? [...checkpoint.recentSuccess] : [];
  let elapsedMs = checkpoint?.elapsedMs ?? 0;
  let step = checkpoint?.step ?? 0;
  const B = config.batch;
  const save = (): void =>
    store.saveCheckpoint({ step, width: texture.width, height: texture.height, texture: texture.data, optimiser: opt, elapsedMs, recentSuccess: recent, rng: { seed: config.seed, step } });
  let earlyStopped = false;
  const sessionStart = performance.now();
  const sessionStartStep = step;
  // The next step's scenes load (decode, resize) while this step's model runs on the session
  // workers: the batch a step draws depends only on the seed and the step.
  const prefetch = (at: number) => {
    const next = drawBatch(config, prepared, at, B);
    next.catch(() => undefined);
    return next;
  };
  let upcoming = step < config.steps ? prefetch(step) : undefined;
  try {
    while (step < config.steps) {
      if (options.signal?.aborted) {
        save();
        record.status = 'paused';
        record.steps.done = step;
        store.writeRecord(record);
        return { dir: store.dir, status: 'paused', stepsDone: step, earlyStopped: false, recentSuccess: mean(recent) };
      }
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const { samples, scenes } = await (upcoming ?? prefetch(step));
      upcoming = step + 1 < config.steps ? prefetch(step + 1) : undefined;
      const batch = await compositor.render(texture, samples);
      const t1 = performance.now();
      const obj = prepared.objective;
      const result = obj.evaluate ? await obj.evaluate(oracle, batch.pixels, scenes) : await oracle.gradient(batch.pixels, obj.args(scenes));
      const t2 = performance.now();
      const grad = await compositor.backward(batch, result.grad);
      const t3 = performance.now();
      const scale = obj.sign / B;
      for (let i = 0; i < grad.length; i++) grad[i] *= scale;
      const terms: Record<string, number> = { task: result.meanLoss };
      let total = obj.sign * result.meanLoss;
      for (const [name, weight, penalty] of [
        ['nps', config.weights.nps, () => nonPrintability(texture, mask.mask, palette)],
        ['tv', config.weights.tv, () => totalVariation(texture, mask.mask)],
        ['disguise', config.weights.disguise, () => (disguise ? disguiseDistance(texture, mask.mask, disguise) : undefined)],
      ] as const) {
        if (weight <= 0) continue;
        const p = penalty();
        if (!p) continue;
        terms[name] = p.value;
        total += weight * p.value;
        for (let i = 0; i < grad.length; i++) grad[i] += weight * p.grad[i];
      }
      const success = obj.success(result.loss, scenes, result.outputs);
      const rate = success.filter(Boolean).length / success.length;
      const lr = learningRate(config.optimiser, step, config.steps);
      optimiserStep(config.optimiser, opt, texture.data, grad, lr);
      step += 1;
      recent.push(rate);
      if (recent.length > 10) recent.shift();
      const ms = performance.now() - t0;
      elapsedMs += ms;
      const timing = { render: Math.round(t1 - t0), model: Math.round(t2 - t1), backward: Math.round(t3 - t2), rest: Math.round(performance.now() - t3) };
      const cpu = process.cpuUsage(cpu0);
      const score = validator && (step % config.valEvery === 0 || step === config.steps) ? await validator.score(texture) : undefined;
      store.appendMetrics({ step, lr, loss: total, terms, success: rate, ms: Math.round(ms), cpuMs: Math.round((cpu.user + cpu.system) / 1000), timing, peakRssMb: peakRssMb(), ...(score !== undefined ? { val: score } : {}) });
      if (step % config.checkpointEvery === 0) save();
      if (score !== undefined) {
        if (!best || score < best.score) {
          best = { score, step, texture: Float32Array.from(texture.data) };
          stale = 0;
        } else if (++stale >= config.valPatience) {
          earlyStopped = true;
          note(`early stop at step ${step}: validation recall ${(score * 100).toFixed(1)}% has not beaten ${(best.score * 100).toFixed(1)}% (step ${best.step}) for ${stale} rounds`);
          break;
        }
      }
      if (options.onProgress) {
        const sps = (step - sessionStartStep) / ((performance.now() - sessionStart) / 1000);
        const previewEvery = options.previewEvery ?? 10;
        options.onProgress({
          runDir: store.dir,
          step,
          steps: config.steps,
          loss: total,
          terms,
          success: rate,
          stepsPerSecond: sps,
          etaSeconds: sps > 0 ? (config.steps - step) / sps : Infinity,
          elapsedSeconds: elapsedMs / 1000,
          preview: previewEvery > 0 && (step % previewEvery === 0 || step === 1) ? await preview(texture) : undefined,
        });
      }
      if (config.earlyStop !== undefined && recent.length >= 10 && mean(recent) >= config.earlyStop) {
        earlyStopped = true;
        note(`early stop at step ${step}: mean batch success ${(mean(recent) * 100).toFixed(0)}% over the last 10 steps`);
        break;
      }
    }
    save();
    // With validation, the patch kept is the best one on it, not the last.
    const kept = best ? makePlane(texture.width, texture.height, 3, best.texture) : texture;
    store.writeFile(RUN_FILES.patch, await patchPng(kept, config.shape, config.exportSize));
    store.writeFile(RUN_FILES.samples, await renderSamples(config, prepared, compositor, texture, target));
    record.status = 'done';
    record.steps.done = step;
    record.summary = { recentSuccess: mean(recent), elapsedSeconds: elapsedMs / 1000, peakRssMb: peakRssMb(), ...(best ? { validation: { recall: best.score, step: best.step } } : {}), earlyStopped, objective: prepared.objective.describe, shape: describeShape(config.shape), palette: palette.length };
    record.notes.push(...notes.filter((n) => !record.notes.includes(n)));
    store.writeRecord(record);
    return { dir: store.dir, status: 'done', stepsDone: step, earlyStopped, recentSuccess: mean(recent) };
  } finally {
    await Promise.all([oracle.dispose(), compositor.close(), prepared.objective.dispose?.()]);
  }
}


/** The views of one step: scenes and transforms drawn from the (seed, step) stream; scenes read from disk as needed. */
export async function drawBatch(config: PhysicalAttackConfig, prepared: Prepared, step: number, size: number): Promise<{ samples: SceneSample[]; scenes: number[] }> {
  const rng = new Rng(config.seed, step, 0);
  const groups = config.sampleBy === 'sources' ? scenesBySource(prepared) : undefined;
  const scenes: number[] = [];
  const draws: { s: number; view: SceneSample['view']; noiseSeed: number }[] = [];
  for (let i = 0; i < size; i++) {
    const group = groups?.[rng.int(groups.length)];
    const s = group ? group[rng.int(group.length)] : rng.int(prepared.planes.length);
    scenes.push(s);
    draws.push({ s, view: sampleView(config.eot, rng), noiseSeed: mixSeed(config.seed, [step, i, 1]) });
  }
  const samples = await Promise.all(draws.map(async (d) => ({ scene: await prepared.planes.get(d.s), quads: prepared.quads[d.s], view: d.view, noiseSeed: d.noiseSeed })));
  return { samples, scenes };
}

const sourceGroups = new WeakMap<Prepared, number[][]>();

/** The scene indices of each source, in first-seen order (one group per scene when sources are unknown). */
export function scenesBySource(prepared: Prepared): number[][] {
  let groups = sourceGroups.get(prepared);
  if (!groups) {
    const bySource = new Map<string, number[]>();
    for (let i = 0; i < prepared.planes.length; i++) {
      const key = prepared.sources?.[i] ?? String(i);
      const group = bySource.get(key);
      if (group) group.push(i);
      else bySource.set(key, [i]);
    }
    groups = [...bySource.values()];
    sourceGroups.set(prepared, groups);
  }
  return groups;
}

function initialTexture(config: PhysicalAttackConfig, mask: PatchMask): Plane {
  const t = makePlane(mask.mask.width, mask.mask.height, 3);
  const n = t.width * t.height;
  if (config.init === 'random') {
    const rng = new Rng(config.seed, -1);
    for (let i = 0; i < t.data.length; i++) t.data[i] = rng.next();
  } else {
    const rgb = config.init.startsWith('#') ? [1, 3, 5].map((k) => parseInt(config.init.slice(k, k + 2), 16) / 255) : [0.5, 0.5, 0.5];
    for (let c = 0; c < 3; c++) t.data.fill(rgb[c], c * n, (c + 1) * n);
  }
  return t;
}

function triplets(palette: Palette): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i < palette.count; i++) out.push([palette.printable[3 * i], palette.printable[3 * i + 1], palette.printable[3 * i + 2]]);
  return out;
}

async function loadDisguise(file: string, mask: Plane): Promise<Plane> {
  const { image } = await resizeImage(await decodeImage(file), mask.width, mask.height);
  return rasterToPlane(image);
}

async function preview(texture: Plane): Promise<{ width: number; height: number; png: Uint8Array }> {
  const size = 64;
  const w = texture.width >= texture.height ? size : Math.max(1, Math.round((size * texture.width) / texture.height));
  const h = texture.width >= texture.height ? Math.max(1, Math.round((size * texture.height) / texture.width)) : size;
  const png = await sharp(planeToRgb(texture), { raw: { width: texture.width, height: texture.height, channels: 3 } }).resize(w, h).png().toBuffer();
  return { width: w, height: h, png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength) };
}

/** samples.png: views drawn like training ones, with what the model now sees. */
async function renderSamples(config: PhysicalAttackConfig, prepared: Prepared, compositor: BatchRenderer, texture: Plane, target: AttackTarget): Promise<Buffer> {
  const { samples, scenes } = await drawBatch({ ...config, seed: mixSeed(config.seed, [0x5a3]) }, prepared, 0, config.sampleCount);
  const batch = await compositor.render(texture, samples);
  const predictions = await predictPlanes(
    target,
    samples.map((_, i) => makePlane(target.width, target.height, 3, batch.pixels.data.slice(i * 3 * target.width * target.height, (i + 1) * 3 * target.width * target.height))),
  );
  return sampleGrid(
    samples.map((_, i) => ({ pixels: batch.pixels, index: i, quads: batch.quads[i], prediction: predictions[i], caption: prepared.names[scenes[i]] })),
    (i) => target.labels[i] ?? String(i),
  );
}

/** The process's largest resident set so far, in MiB (scenes stream from disk, so this stays flat as sets grow). */
function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function mean(values: readonly number[]): number {
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

function versions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const version = (pkg: string): string => {
    try {
      return (require(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  let patchlab = 'unknown';
  try {
    patchlab = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // Running outside the package (bundled): the version is unknown, not fatal.
  }
  return { patchlab, node: process.versions.node, 'onnxruntime-node': version('onnxruntime-node'), sharp: version('sharp') };
}
