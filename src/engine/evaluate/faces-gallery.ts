/**
 * Eyeglass frames judged as a face-recognition system would judge them: the frames are drawn
 * onto each probe photo where blazeface puts the eyes (as the attack places them), blazeface
 * runs again on the result (a face it no longer finds is "not detected", never compared), and
 * the largest face found is identified against every enrolled gallery (rank-1) and verified at
 * the match threshold. Beside the frames: a noise-textured frame and a plain single-colour
 * frame of the same shape, and the clean probe.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { resolveAttackConfig, type PhysicalAttackConfig, type PhysicalAttackInput } from '../attacks/physical/config';
import { framesOnEyes } from '../attacks/physical/placement';
import { UserError } from '../errors';
import { embedLargestFace, zooFaceModels, type FaceModels } from '../faces/embed';
import { listGalleries, loadGallery, type Gallery } from '../faces/gallery';
import { writeFileAtomic } from '../fs/atomic';
import { decodeImage, writeImage, type RasterImage } from '../image/image';
import { faceSimilarity } from '../models/faces';
import { IDENTITY_VIEW } from '../render/eot';
import { createBatchRenderer } from '../render/renderer';
import { Rng } from '../random';
import { shapeMask } from '../render/shapes';
import { makePlane, type Plane } from '../render/texture';
import { readPatchPng } from '../runs/artifacts';
import { RUN_FILES, RunStore } from '../runs/store';
import { rasterToPlane } from '../attacks/physical/scenes';
import { renderChart, summaryChart } from './plots';

export const GALLERY_VARIANTS = ['frames', 'noise frames', 'plain frames', 'clean'] as const;
export type GalleryVariant = (typeof GALLERY_VARIANTS)[number];

export interface GalleryEvalInput {
  /** Folder (or comma-separated files) of probe photos of the wearer. */
  probes: string;
  /** Galleries to identify against; all saved ones by default. */
  galleries?: string[];
  /** The wearer's gallery (dodging: who the probe must not be matched as). */
  wearer: string;
  /** Impersonation: the gallery the wearer wants to be matched as. */
  target?: string;
  /** Match threshold; the model's default (calibrated FMR 1% where measured) otherwise. */
  threshold?: number;
  out?: string;
  seed?: number;
}

/** What happened to one probe under one variant. */
export interface ProbeVerdict {
  probe: string;
  detected: boolean;
  /** Rank-1 gallery and its similarity (best entry), when a face was found. */
  rank1?: string;
  rank1Similarity?: number;
  wearerSimilarity?: number;
  targetSimilarity?: number;
}

export interface GalleryVariantResult {
  probes: number;
  notDetected: number;
  /** Face found, identified as the target (rank-1) and at or above the threshold. */
  impersonated: number;
  /** Face found and not accepted as the wearer (not rank-1 or below the threshold). */
  dodged: number;
  /** Face found, rank-1 is the wearer (identification alone, no threshold). */
  rank1Wearer: number;
  meanWearerSimilarity: number;
  meanTargetSimilarity?: number;
  verdicts: ProbeVerdict[];
}

export interface GalleryEvalReport {
  run: string;
  goal: PhysicalAttackConfig['goal'];
  model: string;
  threshold: number;
  wearer: string;
  target?: string;
  galleries: string[];
  probes: number;
  /** Probes left out because blazeface finds no face on the clean photo (the frames cannot be placed). */
  skipped: string[];
  /** Rates over the probes per variant: impersonation (or dodging) success, not detected. */
  rates: Record<GalleryVariant, { success: number; notDetected: number; rank1Wearer: number }>;
  variants: Record<GalleryVariant, GalleryVariantResult>;
  files: string[];
}

const PHOTO = new Set(['.jpg', '.jpeg', '.png', '.webp']);

function probeFiles(spec: string): string[] {
  const files = existsSync(spec) && statSync(spec).isDirectory() ? readdirSync(spec).filter((f) => PHOTO.has(extname(f).toLowerCase())).sort().map((f) => join(spec, f)) : spec.split(',').filter(Boolean);
  for (const f of files) if (!existsSync(f)) throw new UserError(`--probes: no such file ${f}`);
  if (files.length === 0) throw new UserError(`--probes ${spec}: no photos (.jpg, .png, .webp)`);
  return files;
}

/** One colour over the whole frame: the frames' mean colour inside the mask (same shape, no pattern). */
function plainTexture(texture: Plane, mask: Plane): Plane {
  const n = texture.width * texture.height;
  const mean = [0, 0, 0];
  let w = 0;
  for (let i = 0; i < n; i++) {
    const m = mask.data[i] ?? 1;
    w += m;
    for (let c = 0; c < 3; c++) mean[c] += m * texture.data[c * n + i];
  }
  const out = makePlane(texture.width, texture.height, 3);
  for (let c = 0; c < 3; c++) out.data.fill(mean[c] / (w || 1), c * n, (c + 1) * n);
  return out;
}

function noiseTexture(like: Plane, seed: number): Plane {
  const rng = new Rng(seed, 0x6e6f);
  const out = makePlane(like.width, like.height, 3);
  for (let i = 0; i < out.data.length; i++) out.data[i] = rng.next();
  return out;
}

function pixelsToRaster(data: Float32Array, width: number, height: number): RasterImage {
  const n = width * height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round(Math.min(1, Math.max(0, data[c * n + i])) * 255);
  return { width, height, channels: 3, data: out };
}

/** Best similarity of an embedding to each gallery (max over its entries). */
function scoresAgainst(embedding: Float32Array, galleries: readonly Gallery[]): Map<string, number> {
  return new Map(galleries.map((g) => [g.name, Math.max(...g.entries.map((e) => faceSimilarity(embedding, e.embedding)))]));
}

export async function evaluateOnGallery(runDir: string, input: GalleryEvalInput, models?: FaceModels): Promise<GalleryEvalReport> {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) throw new UserError(`${runDir}: --gallery evaluation needs a run folder`);
  const store = RunStore.open(runDir);
  const record = store.readRecord();
  const config = resolveAttackConfig(record.config as unknown as PhysicalAttackInput);
  if (config.attack !== 'glasses') throw new UserError(`${runDir}: --gallery is for eyeglass frames (this run is a ${config.attack})`);
  if (config.goal === 'impersonate' && !input.target) throw new UserError('--gallery with an impersonation run needs --impersonate GALLERY (whom the frames should be matched as)');
  const patchFile = store.path(RUN_FILES.patch);
  if (!existsSync(patchFile)) throw new UserError(`${runDir}: the run has no ${RUN_FILES.patch} yet`);
  const face = models ?? (await zooFaceModels(config.model));
  const names = input.galleries ?? listGalleries().map((g) => g.name);
  for (const n of [input.wearer, ...(input.target ? [input.target] : [])]) if (!names.includes(n)) names.push(n);
  const galleries = names.map(loadGallery);
  for (const g of galleries) if (face.descriptor.hash && g.modelHash !== face.descriptor.hash) throw new UserError(`gallery ${g.name} was enrolled with another ${g.model} (re-enrol it)`);
  const threshold = input.threshold ?? face.descriptor.threshold;

  const { texture } = await readPatchPng(patchFile, config.resolution);
  const shape = await shapeMask(config.shape, config.resolution);
  if (!shape.anchors) throw new UserError(`${runDir}: the frames' shape has no lens anchors`);
  const textures: Record<Exclude<GalleryVariant, 'clean'>, Plane> = {
    frames: texture,
    'noise frames': noiseTexture(texture, input.seed ?? 7),
    'plain frames': plainTexture(texture, shape.mask),
  };
  const renderer = createBatchRenderer(shape.mask);
  const verdicts: Record<GalleryVariant, ProbeVerdict[]> = { frames: [], 'noise frames': [], 'plain frames': [], clean: [] };
  const skipped: string[] = [];
  const viewsDir = join(input.out ?? runDir, 'faces-eval-views');
  mkdirSync(viewsDir, { recursive: true });
  try {
    for (const file of probeFiles(input.probes)) {
      const photo = await decodeImage(file, { label: file });
      const faces = await face.detect(photo);
      if (faces.length === 0) {
        skipped.push(file);
        continue;
      }
      const main = faces.reduce((a, b) => ((b.box[2] - b.box[0]) * (b.box[3] - b.box[1]) > (a.box[2] - a.box[0]) * (a.box[3] - a.box[1]) ? b : a));
      const quad = framesOnEyes(shape.anchors, shape.mask.width, shape.mask.height, main.leftEye, main.rightEye, config.size);
      const scene = rasterToPlane(photo);
      for (const variant of GALLERY_VARIANTS) {
        let view = photo;
        if (variant !== 'clean') {
          const batch = await renderer.render(textures[variant], [{ scene, quads: [quad], view: IDENTITY_VIEW, noiseSeed: 0 }]);
          view = pixelsToRaster(batch.pixels.data, photo.width, photo.height);
          // What the camera would see, to look at beside the numbers.
          await writeImage(join(viewsDir, `${basename(file, extname(file))}-${variant.replace(' ', '-')}.jpg`), view, 90);
        }
        const found = await embedLargestFace(face, view, file);
        if (!found) {
          verdicts[variant].push({ probe: file, detected: false });
          continue;
        }
        const scores = scoresAgainst(found.embedding, galleries);
        const [rank1, rank1Similarity] = [...scores].reduce((a, b) => (b[1] > a[1] ? b : a));
        verdicts[variant].push({ probe: file, detected: true, rank1, rank1Similarity, wearerSimilarity: scores.get(input.wearer), ...(input.target ? { targetSimilarity: scores.get(input.target) } : {}) });
      }
    }
  } finally {
    await renderer.close();
  }
  if (verdicts.clean.length === 0) throw new UserError(`--probes ${input.probes}: blazeface finds no face on any probe`);

  const summarise = (list: ProbeVerdict[]): GalleryVariantResult => {
    const found = list.filter((v) => v.detected);
    const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
    return {
      probes: list.length,
      notDetected: list.length - found.length,
      impersonated: input.target ? found.filter((v) => v.rank1 === input.target && (v.rank1Similarity ?? -1) >= threshold).length : 0,
      dodged: found.filter((v) => !(v.rank1 === input.wearer && (v.rank1Similarity ?? -1) >= threshold)).length,
      rank1Wearer: found.filter((v) => v.rank1 === input.wearer).length,
      meanWearerSimilarity: mean(found.map((v) => v.wearerSimilarity ?? 0)),
      ...(input.target ? { meanTargetSimilarity: mean(found.map((v) => v.targetSimilarity ?? 0)) } : {}),
      verdicts: list,
    };
  };
  const variants = Object.fromEntries(GALLERY_VARIANTS.map((v) => [v, summarise(verdicts[v])])) as Record<GalleryVariant, GalleryVariantResult>;
  const rate = (r: GalleryVariantResult): { success: number; notDetected: number; rank1Wearer: number } => ({
    success: (config.goal === 'impersonate' ? r.impersonated : r.dodged) / r.probes,
    notDetected: r.notDetected / r.probes,
    rank1Wearer: r.rank1Wearer / r.probes,
  });
  const out = input.out ?? runDir;
  const report: GalleryEvalReport = {
    run: runDir,
    goal: config.goal,
    model: config.model,
    threshold,
    wearer: input.wearer,
    ...(input.target ? { target: input.target } : {}),
    galleries: names,
    probes: verdicts.clean.length,
    skipped,
    rates: Object.fromEntries(GALLERY_VARIANTS.map((v) => [v, rate(variants[v])])) as GalleryEvalReport['rates'],
    variants,
    files: [],
  };
  const metric = config.goal === 'impersonate' ? `impersonation (face found, rank-1 = ${input.target}, >= ${threshold.toFixed(3)})` : `dodging (face found, not matched as ${input.wearer} at ${threshold.toFixed(3)})`;
  const chart = await renderChart(summaryChart(GALLERY_VARIANTS.map((v) => ({ variant: v, rate: report.rates[v].success })), metric, `${config.model} vs gallery: ${metric}`, { domain: GALLERY_VARIANTS, range: ['#d62728', '#8c8c8c', '#ff7f0e', '#1f77b4'] }));
  const files = { 'faces-eval-summary.svg': chart.svg, 'faces-eval-summary.png': chart.png };
  for (const [name, data] of Object.entries(files)) writeFileAtomic(join(out, name), data);
  report.files = [join(out, 'faces-eval.json'), ...Object.keys(files).map((f) => join(out, f))];
  writeFileAtomic(join(out, 'faces-eval.json'), JSON.stringify(report, null, 2) + '\n');
  return report;
}
