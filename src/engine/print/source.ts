import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError, firstLine } from '../errors';
import { decodeImage, type RasterImage } from '../image/image';
import { EYEGLASS_FRAMES, type EyeglassFrameName } from '../masks/eyeglasses';

export type AttackKind = 'patch' | 'sticker' | 'glasses';
export type MaskShape = 'rect' | 'circle' | 'mask' | 'glasses';

/** What the PDF says about where a patch came from; every field may be missing. */
export interface PatchInfo {
  kind: AttackKind;
  shape?: MaskShape;
  /** Glasses: which shipped frame silhouette the patch spans (run.json's config.shape.frame). */
  frame?: EyeglassFrameName;
  /** Glasses: the frame scale the run optimised at (run.json's config.size; 1 = lens centres on the eyes). */
  frameScale?: number;
  model?: string;
  goal?: string;
  target?: string;
  runId?: string;
  date?: string;
}

export interface PatchSource {
  /** The PNG that is printed. */
  imagePath: string;
  runDir?: string;
  /** RGBA, alpha is the mask. */
  image: RasterImage;
  /** Every pixel fully opaque: the patch is its rectangle. */
  opaque: boolean;
  info: PatchInfo;
  warnings: string[];
}

/** A run directory (patch.png + run.json from `patchlab attack`) or a bare PNG. */
export async function readPatchSource(path: string, kindOverride?: AttackKind): Promise<PatchSource> {
  if (!existsSync(path)) throw new UserError(`${path}: no such file or run directory`);
  const warnings: string[] = [];
  let imagePath = path;
  let runDir: string | undefined;
  let run: unknown;
  if (statSync(path).isDirectory()) {
    runDir = path;
    imagePath = join(path, 'patch.png');
    if (!existsSync(imagePath)) throw new UserError(`${path}: not a run directory (no patch.png in it)`);
    const runJson = join(path, 'run.json');
    if (existsSync(runJson)) {
      try {
        run = JSON.parse(readFileSync(runJson, 'utf8'));
      } catch (error) {
        warnings.push(`${runJson}: unreadable (${firstLine(error)}); printing patch.png without its run details`);
      }
    }
  }
  const image = await decodeImage(imagePath, { alpha: true });
  let opaque = true;
  for (let i = 3; i < image.data.length; i += 4) {
    if (image.data[i] !== 255) {
      opaque = false;
      break;
    }
  }
  let hasInk = false;
  for (let i = 3; i < image.data.length && !hasInk; i += 4) hasInk = image.data[i] > 127;
  if (!hasInk) throw new UserError(`${imagePath}: the image is fully transparent; nothing to print`);
  const info = runInfo(run, kindOverride);
  if (info.shape === undefined && info.kind === 'glasses') info.shape = 'glasses';
  if (!runDir && !kindOverride && /glass/i.test(basename(imagePath))) warnings.push(`${imagePath}: printing as a patch; add --kind glasses for an eyeglass-frame template`);
  return { imagePath, runDir, image, opaque, info, warnings };
}

type Json = Record<string, unknown>;

function lookup(root: unknown, path: string): unknown {
  let value: unknown = root;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Json)[key];
  }
  return value;
}

/** The first path that holds a string or number (or an object with a name), as text. */
function pick(root: unknown, paths: string[]): string | undefined {
  for (const path of paths) {
    const value = lookup(root, path);
    if (typeof value === 'string' && value.trim()) return value.trim();
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.join(', ');
    if (value && typeof value === 'object') {
      const named = pick(value, ['name', 'kind', 'type', 'label', 'id']);
      if (named) return named;
    }
  }
  return undefined;
}

const within = <T extends string>(value: string | undefined, choices: readonly T[]): T | undefined => {
  const v = value?.toLowerCase();
  return (choices as readonly string[]).includes(v ?? '') ? (v as T) : undefined;
};

/** Reads run.json defensively: the attack helper's field names, with a few likely alternatives. */
export function runInfo(run: unknown, kindOverride?: AttackKind): PatchInfo {
  const scopes = ['', 'config.', 'attack.', 'config.attack.'];
  const at = (...keys: string[]): string[] => scopes.flatMap((s) => keys.map((k) => s + k));
  // The run store writes kind `attack/<attack>`; config.attack holds the bare name.
  const kind = kindOverride ?? within(pick(run, at('kind', 'attack', 'type'))?.replace(/^attack\//i, ''), ['patch', 'sticker', 'glasses'] as const) ?? 'patch';
  let shape = pick(run, at('shape', 'mask'))?.toLowerCase();
  if (shape === 'square' || shape === 'rectangle') shape = 'rect';
  if (shape === 'ellipse') shape = 'circle';
  return {
    kind,
    shape: within(shape, ['rect', 'circle', 'mask', 'glasses'] as const),
    frame: within(pick(run, at('shape.frame')), EYEGLASS_FRAMES),
    ...(kind === 'glasses' && Number(pick(run, ['config.size'])) > 0 ? { frameScale: Number(pick(run, ['config.size'])) } : {}),
    model: pick(run, at('model', 'modelName')),
    goal: pick(run, at('goal')),
    target: pick(run, at('target', 'targetClass', 'class', 'targetLabel', 'targetIdentity')),
    runId: pick(run, at('runId', 'run_id', 'id', 'name')),
    date: pick(run, at('date', 'createdAt', 'created', 'startedAt', 'started')),
  };
}
