import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { onTorso, resolveAttackConfig, type PhysicalAttackConfig, type PhysicalAttackInput } from '../attacks/physical/config';
import { zooFaceDetector, type FaceDetector } from '../attacks/physical/faces';
import { targetFromModel } from '../attacks/physical/model-target';
import { objectsOfClass } from '../attacks/physical/placement';
import { fractionInside, iou, type Box } from '../../shared/box';
import { alignedFace, predictPlanes, prepareAttack, unit, type Prepared } from '../attacks/physical/prepare';
import { rasterToPlane } from '../attacks/physical/scenes';
import { classIndex, type AttackTarget, type TargetPrediction } from '../attacks/physical/target';
import { transformsOf } from '../defences/build';
import { describeDefences, parseDefences } from '../defences/parse';
import { applyChain, type PixelTransform } from '../defences/transform';
import { UserError } from '../errors';
import { writeFileAtomic } from '../fs/atomic';
import { decodeImage } from '../image/image';
import { loadModel } from '../models/loaded';
import { resourcesDir } from '../paths';
import type { SceneSample } from '../render/compositor';
import { createBatchRenderer } from '../render/renderer';
import { EotSchema, EVAL_WIDEN, sampleView, widenEot, type EotConfig, type ViewParams } from '../render/eot';
import { viewHomography } from '../render/geometry';
import { applyH } from '../../shared/homography';
import { Rng, mixSeed } from '../random';
import { shapeMask, ShapeSchema, type PatchMask } from '../render/shapes';
import { makePlane, type Plane } from '../render/texture';
import { readPatchPng } from '../runs/artifacts';
import { RUN_FILES, RunStore } from '../runs/store';
import { BINNED, binOutcomes, type Bin } from './bins';
import { createApCollector, type ApReport } from './annotated';
import { binsChart, prChart, renderChart, summaryChart, type BinRow } from './plots';
import { firstIssue } from '../../shared/zod-issue';
import { PHYSICAL_GOALS } from '../../shared/physical-attacks';
import { assertCleanTest, seenScenes } from '../scenes/protocol';
import { parseSetSpec } from '../scenes/resolve';

export const EvalOptionsSchema = z.object({
  /** The model to evaluate against; the run's model by default. */
  model: z.string().optional(),
  /** Held-out scenes (a folder or comma-separated files). */
  scenes: z.string().min(1),
  /** Views per scene. */
  views: z.number().int().positive().default(16),
  /** Every training transform range is widened by this factor (evaluation draws views training never did). */
  widen: z.number().min(1).default(EVAL_WIDEN),
  /** Explicit transform ranges instead of the widened training ones. */
  eot: EotSchema.partial().optional(),
  seed: z.number().int().default(7),
  /** For a bare PATCH.png (a run folder knows these). */
  attack: z.enum(['patch', 'sticker', 'glasses']).optional(),
  goal: z.enum(PHYSICAL_GOALS).optional(),
  class: z.string().optional(),
  target: z.string().optional(),
  shape: ShapeSchema.optional(),
  size: z.number().positive().optional(),
  /** The natural-image control patch; a photo shipped in resources/controls by default. */
  natural: z.string().optional(),
  /**
   * Detector patches: count only objects whose placed patch has at least this fraction of its area
   * inside the photo. A worn print whose chest is below the frame's edge cannot act, so a torso
   * placement is also judged on the people who can wear it in view; 0 counts everyone.
   */
  minVisible: z.number().min(0).max(1).default(0),
  /** IoU at which a detection recovers a ground-truth object. */
  iou: z.number().min(0).max(1).default(0.5),
  /** Where eval.json and the plots go: the run folder, or beside the PNG. */
  out: z.string().optional(),
  batch: z.number().int().positive().default(8),
  /** Input defences between the camera and the model, as `--defence` spells them (`random-resize,jpeg=75`). */
  defence: z.string().optional(),
  /** Face descriptors: the similarity at which two faces match, instead of the model's (e.g. one calibrated to a false-match rate). */
  threshold: z.number().min(-1).max(1).optional(),
  /** Detectors: ground truth for the scenes (a COCO JSON file or a folder of YOLO txt labels); adds COCO AP of the class and PR curves. */
  annotations: z.string().optional(),
  /** With annotations: score only objects of this COCO size (box area in original-image pixels), as COCO's APs/APm/APl. */
  area: z.enum(['small', 'medium', 'large']).optional(),
});

export type EvalOptions = z.infer<typeof EvalOptionsSchema>;
export type EvalInput = z.input<typeof EvalOptionsSchema>;

/** Half a chest print inside the photo: below that the print mostly is not there to act (a talking head's chest at the frame's edge). */
export const TORSO_IN_VIEW = 0.5;

export const VARIANTS = ['patch', 'noise control', 'natural control', 'clean'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface VariantResult {
  /** Fraction of views (faces, classifiers) or objects (detectors) where the attack's goal is met. */
  success: number;
  /** Detectors: fraction of ground-truth objects still found as their class. */
  recall?: number;
  /** Faces: fraction of views still matching the wearer's enrolled face. */
  match?: number;
  /** Faces: mean cosine similarity to the wearer's enrolled face, and to the target (impersonation). */
  similarity?: { wearer: number; target?: number };
}

export interface EvalReport {
  source: string;
  model: { name: string; hash: string };
  goal: string;
  class?: string;
  target?: string;
  /** What `bins` and the plots show, e.g. "person recall". */
  metric: string;
  /** Face descriptors: the match threshold the views were judged at. */
  threshold?: number;
  scenes: string[];
  /** Held-out scenes that the run also trained on (should be empty). */
  seenInTraining: string[];
  views: number;
  eot: EotConfig;
  /** The input defences every view (clean ones too) went through, e.g. `jpeg(75) -> median(3)`. */
  defence?: string;
  variants: Record<Variant, VariantResult>;
  bins: Record<string, Bin[]>;
  perScene: { scene: string; objects: number; rates: Record<Variant, number> }[];
  /** Detectors with --annotations: AP@0.5 and AP@[.5:.95] of the class per variant, against the annotated objects. */
  ap?: ApReport;
  files: string[];
  notes: string[];
}

export interface EvalCallbacks {
  onProgress?: (done: number, total: number) => void;
  target?: AttackTarget;
  faceDetector?: FaceDetector;
}

interface Source {
  config: PhysicalAttackConfig;
  texture: Plane;
  mask: PatchMask;
  outDir: string;
  trainingScenes: string[];
}

/** Evaluates a run folder or a patch PNG on held-out scenes, beside a noise and a natural-image control. */
export async function evaluateRun(sourcePath: string, input: EvalInput, callbacks: EvalCallbacks = {}): Promise<EvalReport> {
  const parsed = EvalOptionsSchema.safeParse(input);
  if (!parsed.success) throw new UserError(`invalid evaluation options: ${firstIssue(parsed.error, '')}`);
  const options = parsed.data;
  const defences = inputDefences(options.defence);
  const source = await readSource(sourcePath, options);
  const { config } = source;
  const target = callbacks.target ?? targetFromModel(await loadModel(config.model));
  const notes: string[] = [];
  const prepared = await prepareAttack(config, target, source.mask, { faceDetector: callbacks.faceDetector, onNote: (m) => notes.push(m) });
  const eot: EotConfig = options.eot ? EotSchema.parse({ ...config.eot, ...options.eot }) : widenEot(config.eot, options.widen);
  const textures: Record<Exclude<Variant, 'clean'>, Plane> = {
    patch: source.texture,
    'noise control': noiseTexture(source.texture, options.seed),
    'natural control': await naturalTexture(options.natural, source.texture),
  };
  const judge = await makeJudge(config, target, prepared, options, callbacks, notes);
  if (options.annotations && target.task !== 'detector') throw new UserError('--annotations: AP applies to detectors only');
  const apCollector = options.annotations ? await createApCollector(options.annotations, target, prepared.files, classIndex(target, config.class ?? ''), notes, options.area) : undefined;
  const views: ViewParams[] = [];
  const outcomes: Record<Variant, number[]> = { patch: [], 'noise control': [], 'natural control': [], clean: [] };
  const scoreSums: Record<Variant, Record<string, number>> = { patch: {}, 'noise control': {}, 'natural control': {}, clean: {} };
  const weights: number[] = [];
  const perScene = prepared.names.map((scene, i) => ({ scene, objects: judge.objects(i), sums: { patch: 0, 'noise control': 0, 'natural control': 0, clean: 0 } as Record<Variant, number>, n: 0 }));
  const total = prepared.names.length * options.views;
  let done = 0;
  const jobs: { scene: number; view: ViewParams; noiseSeed: number }[] = [];
  for (let s = 0; s < prepared.names.length; s++) {
    for (let v = 0; v < options.views; v++) {
      const rng = new Rng(options.seed, s, v);
      jobs.push({ scene: s, view: sampleView(eot, rng), noiseSeed: mixSeed(options.seed, [s, v, 1]) });
    }
  }
  const compositor = createBatchRenderer(source.mask.mask);
  try {
    for (let start = 0; start < jobs.length; start += options.batch) {
      const chunk = jobs.slice(start, start + options.batch);
      const results: Record<Variant, TargetPrediction[]> = { patch: [], 'noise control': [], 'natural control': [], clean: [] };
      for (const variant of VARIANTS) {
        const samples: SceneSample[] = await Promise.all(chunk.map(async (j) => ({ scene: await prepared.planes.get(j.scene), quads: variant === 'clean' ? [] : prepared.quads[j.scene], view: j.view, noiseSeed: j.noiseSeed })));
        const texture = variant === 'clean' ? source.texture : textures[variant];
        let pixels = (await compositor.render(texture, samples)).pixels;
        // Every variant of a chunk meets the same defence draws, so they are compared like for like.
        if (defences.length > 0) pixels = (await applyChain(defences, pixels, new Rng(mixSeed(options.seed, [start, 0xdef])))).output;
        results[variant] = await target.predict(pixels, apCollector ? { ranked: true } : undefined);
      }
      chunk.forEach((j, i) => {
        views.push(j.view);
        weights.push(judge.weight(j.scene));
        perScene[j.scene].n++;
        for (const variant of VARIANTS) {
          const o = judge.outcome(j.scene, j.view, results[variant][i]);
          apCollector?.add(variant, j.scene, (b) => mapBox(b, j.view, target.width, target.height), results[variant][i]);
          outcomes[variant].push(o);
          for (const [k, v] of Object.entries(judge.scores?.(j.scene, results[variant][i]) ?? {})) scoreSums[variant][k] = (scoreSums[variant][k] ?? 0) + v;
          perScene[j.scene].sums[variant] += o;
        }
      });
      done += chunk.length;
      callbacks.onProgress?.(done, total);
    }
  } finally {
    await compositor.close();
  }
  const variants = Object.fromEntries(
    VARIANTS.map((v) => {
      const rate = weightedMean(outcomes[v], weights);
      const scores = Object.fromEntries(Object.entries(scoreSums[v]).map(([k, sum]) => [k, sum / Math.max(1, outcomes[v].length)]));
      return [v, judge.summarise(rate, scores)];
    }),
  ) as Record<Variant, VariantResult>;
  const bins: Record<string, Bin[]> = {};
  for (const b of BINNED) bins[b.name] = binOutcomes(views.map(b.read), outcomes);
  const report: EvalReport = {
    source: resolve(sourcePath),
    model: { name: target.name, hash: target.hash },
    goal: config.goal,
    ...(config.class ? { class: config.class } : {}),
    ...(config.target ? { target: config.target } : {}),
    metric: judge.metric,
    ...(target.task === 'embedding' ? { threshold: options.threshold ?? target.threshold } : {}),
    scenes: prepared.names,
    seenInTraining: prepared.files.filter((f) => source.trainingScenes.includes(f)),
    views: views.length,
    eot,
    ...(options.defence ? { defence: describeDefences(parseDefences(options.defence)) } : {}),
    variants,
    bins,
    ...(apCollector ? { ap: apCollector.report() } : {}),
    perScene: perScene.map((p) => ({ scene: p.scene, objects: p.objects, rates: Object.fromEntries(VARIANTS.map((v) => [v, p.n > 0 ? p.sums[v] / p.n : 0])) as Record<Variant, number> })),
    files: [],
    notes: [...prepared.notes, ...notes.filter((n) => !prepared.notes.includes(n))],
  };
  if (report.seenInTraining.length > 0) report.notes.push(`${report.seenInTraining.length} evaluation scene(s) were also training scenes: ${report.seenInTraining.join(', ')}`);
  report.files = await writeReport(source.outDir, report);
  return report;
}

/** The pixel-rewriting defences of `--defence`; model-level ones belong to `attack`. */
function inputDefences(spec: string | undefined): PixelTransform[] {
  if (!spec) return [];
  const specs = parseDefences(spec);
  const other = specs.find((d) => d.kind === 'ensemble' || d.kind === 'consistency');
  if (other) throw new UserError(`--defence: eval applies input defences (random-resize, jpeg, bit-depth, median); '${other.kind}' works on digital attacks only`);
  return transformsOf(specs);
}

function weightedMean(values: readonly number[], weights: readonly number[]): number {
  let s = 0;
  let w = 0;
  values.forEach((v, i) => {
    s += v * weights[i];
    w += weights[i];
  });
  return w > 0 ? s / w : 0;
}

async function readSource(path: string, options: EvalOptions): Promise<Source> {
  if (!existsSync(path)) throw new UserError(`${path}: no such run folder or patch image`);
  const overrides = definedOnly({ goal: options.goal, class: options.class, target: options.target, model: options.model, shape: options.shape, size: options.size });
  if (statSync(path).isDirectory()) {
    const store = RunStore.open(path);
    const record = store.readRecord();
    // Runs from before scene sets recorded only their --scenes and files: fingerprint those.
    const trainedSpec = String((record.config as { scenes?: string }).scenes ?? '');
    const seen = record.seen ?? (parseSetSpec(options.scenes)?.split === 'test' ? await seenScenes([trainedSpec], parseSetSpec(trainedSpec) ? [] : record.scenes.filter((f) => existsSync(f))) : undefined);
    assertCleanTest(options.scenes, seen, `run ${path}`);
    if (!existsSync(store.path(RUN_FILES.patch))) throw new UserError(`${path}: the run has no ${RUN_FILES.patch} yet (still running? resume it first)`);
    const config = resolveAttackConfig({ ...(record.config as unknown as PhysicalAttackInput), ...overrides, scenes: options.scenes });
    const { texture, mask } = await readPatchPng(store.path(RUN_FILES.patch), config.resolution);
    return { config, texture, mask: config.shape.kind === 'eyeglasses' ? await shapeMask(config.shape, config.resolution) : { mask }, outDir: options.out ?? store.dir, trainingScenes: record.scenes };
  }
  if (!options.model) throw new UserError('evaluating a patch image needs --model');
  const attack = options.attack ?? (options.shape?.kind === 'eyeglasses' ? 'glasses' : 'patch');
  const config = resolveAttackConfig({ attack, model: options.model, scenes: options.scenes, ...overrides, shape: options.shape ?? { kind: 'mask', file: path } });
  const resolution = config.resolution;
  const { texture, mask } = await readPatchPng(path, resolution);
  return { config, texture, mask: config.shape.kind === 'eyeglasses' ? await shapeMask(config.shape, resolution) : { mask }, outDir: options.out ?? dirname(resolve(path)), trainingScenes: [] };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function noiseTexture(like: Plane, seed: number): Plane {
  const rng = new Rng(seed, 0x6e6f);
  const t = makePlane(like.width, like.height, 3);
  for (let i = 0; i < t.data.length; i++) t.data[i] = rng.next();
  return t;
}

async function naturalTexture(file: string | undefined, like: Plane): Promise<Plane> {
  const path = file ?? join(resourcesDir(), 'controls', 'natural.png');
  const image = await decodeImage(path);
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .resize(like.width, like.height, { fit: 'cover' })
    .raw()
    .toBuffer();
  return rasterToPlane({ width: like.width, height: like.height, channels: image.channels, data: new Uint8Array(data) });
}

/** How one view of one scene counts, per task and goal. */
interface Judge {
  metric: string;
  objects(scene: number): number;
  /** Detectors weigh views by their object count so rates are per object. */
  weight(scene: number): number;
  outcome(scene: number, view: ViewParams, p: TargetPrediction): number;
  /** Extra per-view numbers to average (e.g. similarities). */
  scores?(scene: number, p: TargetPrediction): Record<string, number>;
  summarise(rate: number, scores: Record<string, number>): VariantResult;
}

async function makeJudge(config: PhysicalAttackConfig, target: AttackTarget, prepared: Prepared, options: EvalOptions, callbacks: EvalCallbacks, notes: string[]): Promise<Judge> {
  // A scene set's stored boxes are this model's clean detections already: no second pass.
  const clean = prepared.stored && target.task === 'detector' ? [] : await predictPlanes(target, prepared.planes);
  if (target.task === 'detector') {
    const c = classIndex(target, config.class ?? '');
    const t = config.goal === 'target' && config.target ? classIndex(target, config.target, '--target') : undefined;
    const stored = prepared.stored;
    let excluded = 0;
    let unmatched = 0;
    // A chest print scored on everyone counts people whose chest is below the frame as not hidden;
    // without --min-visible the user is told how many, so the two numbers are read together.
    const torso = onTorso(config.attack, config.placement);
    const minVisible = options.minVisible > 0 ? options.minVisible : torso ? TORSO_IN_VIEW : 0;
    const truth: Box[][] = prepared.quads.map((quads, i) => {
      const objects = stored ? [...stored[i]] : objectsOfClass(clean[i].detections ?? [], c, target.threshold).map((d) => d.box);
      if (config.attack === 'sticker') return objects.slice(0, Math.max(1, quads.length)).slice(0, 1);
      const content = prepared.content?.[i];
      if (minVisible <= 0 || !content) return objects;
      if (quads.length !== objects.length) {
        unmatched++;
        return objects;
      }
      // quads[j] is the patch placed on objects[j]: placement and truth list the same objects in the same order.
      const kept = objects.filter((_, j) => fractionInside(quads[j], content) >= minVisible);
      excluded += objects.length - kept.length;
      return options.minVisible > 0 ? kept : objects;
    });
    if (options.minVisible <= 0 && torso) {
      const all = truth.reduce((a, t) => a + t.length, 0);
      notes.push(`chest in view: ${excluded} of ${all} ${config.class ?? 'object'}(s) have less than half of their patch inside the photo and count as seen here; --min-visible ${TORSO_IN_VIEW} scores only those who can wear it in view`);
    } else if (options.minVisible > 0) {
      const all = truth.reduce((a, t) => a + t.length, 0) + excluded;
      notes.push(`--min-visible ${options.minVisible}: ${excluded} of ${all} ${config.class ?? 'object'}(s) left out, less of their patch than that inside the photo`);
    }
    // Placement and ground truth list different objects where their score thresholds differ.
    if (minVisible > 0 && unmatched > 0) notes.push(`--min-visible: not applied in ${unmatched} scene(s) whose placed patches and ground-truth objects differ in number`);
    const name = target.labels[c] ?? String(c);
    return {
      metric: t === undefined ? `${name} recall` : `${name} seen as ${target.labels[t] ?? t}`,
      objects: (s) => truth[s].length,
      weight: (s) => truth[s].length,
      outcome(s, view, p) {
        const boxes = truth[s].map((b) => mapBox(b, view, target.width, target.height));
        if (boxes.length === 0) return 0;
        const dets = p.detections ?? [];
        const hit = (box: Box, k: number): boolean => dets.some((d) => d.classIndex === k && iou(d.box, box) >= options.iou);
        const rate = boxes.filter((b) => (t === undefined ? hit(b, c) : hit(b, t))).length / boxes.length;
        return rate;
      },
      summarise: (rate) => (t === undefined ? { success: 1 - rate, recall: rate } : { success: rate }),
    };
  }
  if (target.task === 'embedding') {
    const own = clean.map((p) => unit(p.embedding));
    let targetVector: Float32Array | undefined;
    if (config.goal === 'impersonate' && config.target) {
      const detect = callbacks.faceDetector ?? (await zooFaceDetector());
      targetVector = unit((await target.predict(scenesPixels([(await alignedFace(detect, config.target, target)).plane])))[0].embedding);
    }
    const thr = options.threshold ?? target.threshold;
    const tv = targetVector;
    return {
      metric: config.goal === 'impersonate' ? 'views matching the target' : "views not matching the wearer's enrolled face",
      objects: () => 1,
      weight: () => 1,
      outcome(s, _view, p) {
        const e = unit(p.embedding);
        const self = dot(e, own[s]);
        // Impersonation: the target is the match, and a better one than the wearer's own face.
        if (tv) return dot(e, tv) >= thr && dot(e, tv) > self ? 1 : 0;
        return self < thr ? 1 : 0;
      },
      scores(s, p) {
        const e = unit(p.embedding);
        return { wearer: dot(e, own[s]), matches: dot(e, own[s]) >= thr ? 1 : 0, ...(tv ? { target: dot(e, tv) } : {}) };
      },
      summarise: (rate, scores) => ({ success: rate, match: scores.matches, similarity: { wearer: scores.wearer, ...(tv ? { target: scores.target } : {}) } }),
    };
  }
  const labels = clean.map((p) => p.top?.[0]?.index ?? -1);
  const t = config.goal === 'target' && config.target ? classIndex(target, config.target, '--target') : undefined;
  return {
    metric: t === undefined ? 'views misclassified' : `views classified as ${target.labels[t] ?? t}`,
    objects: () => 1,
    weight: () => 1,
    outcome: (s, _v, p) => {
      const top = p.top?.[0]?.index;
      return t === undefined ? (top !== labels[s] ? 1 : 0) : top === t ? 1 : 0;
    },
    summarise: (rate) => ({ success: rate }),
  };
}

function scenesPixels(planes: Plane[]): { type: 'float32'; dims: number[]; data: Float32Array } {
  const p = planes[0];
  const data = new Float32Array(planes.length * p.data.length);
  planes.forEach((q, i) => data.set(q.data, i * p.data.length));
  return { type: 'float32', dims: [planes.length, 3, p.height, p.width], data };
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** A scene box as it appears in a view (the camera may have moved): the bounding box of its mapped corners. */
function mapBox(box: Box, view: ViewParams, width: number, height: number): Box {
  const h = viewHomography(view, width, height);
  if (!h) return box;
  const pts = [applyH(h, box[0], box[1]), applyH(h, box[2], box[1]), applyH(h, box[2], box[3]), applyH(h, box[0], box[3])];
  return [Math.min(...pts.map((p) => p[0])), Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[1]))];
}

async function writeReport(dir: string, report: EvalReport): Promise<string[]> {
  const rows: BinRow[] = [];
  for (const b of BINNED) {
    for (const bin of report.bins[b.name] ?? []) {
      for (const v of VARIANTS) rows.push({ parameter: `${b.name} (${b.unit})`, value: Number(bin.centre.toFixed(3)), variant: v, rate: bin.rates[v], views: bin.views });
    }
  }
  const recallLike = report.variants.patch.recall !== undefined;
  const summaryRows = VARIANTS.map((v) => ({ variant: v, rate: recallLike ? (report.variants[v].recall ?? 0) : report.variants[v].success }));
  const bins = await renderChart(binsChart(rows, report.metric, `${report.model.name}: ${report.metric} vs transform (${report.views} views)`));
  const summary = await renderChart(summaryChart(summaryRows, report.metric, `${report.model.name}: ${report.metric}`));
  const files: Record<string, string | Buffer> = { 'eval-bins.svg': bins.svg, 'eval-bins.png': bins.png, 'eval-summary.svg': summary.svg, 'eval-summary.png': summary.png };
  if (report.ap) {
    const ap = report.ap;
    const rows = VARIANTS.flatMap((v) => (ap.variants[v]?.curve ?? []).map((p) => ({ variant: v, ...p })));
    const pr = await renderChart(prChart(rows, `${report.model.name}: ${ap.class} precision-recall at IoU 0.5 (${ap.objects} objects, ${report.views} views)`));
    files['eval-pr.svg'] = pr.svg;
    files['eval-pr.png'] = pr.png;
  }
  for (const [name, data] of Object.entries(files)) writeFileAtomic(join(dir, name), data);
  const all = [RUN_FILES.eval, ...Object.keys(files)].map((f) => join(dir, f));
  writeFileAtomic(join(dir, RUN_FILES.eval), JSON.stringify({ ...report, files: all }, null, 2) + '\n');
  return all;
}

