import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors';
import { writeFileAtomic } from '../fs/atomic';
import { patchlabHome } from '../paths';
import { firstIssue } from '../../shared/zod-issue';
import { embedLargestFace, readSources, type FaceModels } from './embed';

/** Gallery names double as folder names. */
const NAME = /^[A-Za-z0-9][\w.-]{0,63}$/;

const Entry = z.strictObject({
  /** The photo or video it came from (absolute path), and the time for a video frame. */
  source: z.string(),
  time: z.number().optional(),
  /** Detector score and box of the face that was embedded. */
  score: z.number(),
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  embedding: z.array(z.number()),
});
export type GalleryEntry = z.infer<typeof Entry>;

const Gallery = z.strictObject({
  name: z.string(),
  model: z.string(),
  /** Hash of the descriptor model's bytes: a gallery only compares with faces that model embedded. */
  modelHash: z.string(),
  created: z.string(),
  entries: z.array(Entry).min(1),
  /** Inputs (or frames) where the detector found no face. */
  skipped: z.array(z.string()),
});
export type Gallery = z.infer<typeof Gallery>;

export function galleriesDir(): string {
  return join(patchlabHome(), 'galleries');
}

function galleryFile(name: string): string {
  if (!NAME.test(name)) throw new UserError(`gallery name '${name}': use letters, digits, '.', '_' or '-' (at most 64)`);
  return join(galleriesDir(), name, 'gallery.json');
}

export interface EnrolOptions {
  /** Frames taken from each video, spread over its length. */
  frames?: number;
  onNote?: (message: string) => void;
}

/** Embeds the largest face of every photo (or of frames spread over each video) and saves the gallery. */
export async function enrolGallery(name: string, inputs: readonly string[], models: FaceModels, options: EnrolOptions = {}): Promise<Gallery> {
  const file = galleryFile(name);
  if (inputs.length === 0) throw new UserError('faces enrol: give at least one photo or video');
  const entries: GalleryEntry[] = [];
  const skipped: string[] = [];
  for (const source of await readSources(inputs, options.frames ?? 8)) {
    const label = source.time === undefined ? source.file : `${source.file} at ${source.time.toFixed(1)} s`;
    const found = await embedLargestFace(models, source.image, label);
    if (!found) {
      skipped.push(label);
      options.onNote?.(`${label}: no face found; left out`);
      continue;
    }
    entries.push({ source: resolve(source.file), ...(source.time !== undefined ? { time: source.time } : {}), score: found.face.score, box: [...found.face.box] as [number, number, number, number], embedding: Array.from(found.embedding) });
  }
  if (entries.length === 0) throw new UserError(`faces enrol ${name}: no face found in any of the ${inputs.length} input(s)`);
  const gallery: Gallery = { name, model: models.descriptor.name, modelHash: models.descriptor.hash ?? '', created: new Date().toISOString(), entries, skipped };
  writeFileAtomic(file, JSON.stringify(gallery) + '\n');
  return gallery;
}

export function loadGallery(name: string): Gallery {
  const file = galleryFile(name);
  if (!existsSync(file)) throw new UserError(`no gallery '${name}' (patchlab faces list shows them; patchlab faces enrol makes one)`);
  const parsed = Gallery.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new UserError(`${file}: ${firstIssue(parsed.error, 'gallery')}`);
  return parsed.data;
}

/** Every saved gallery, by name. */
export function listGalleries(): Gallery[] {
  const dir = galleriesDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'gallery.json')))
    .map((d) => loadGallery(d.name))
    .sort((a, b) => a.name.localeCompare(b.name));
}
