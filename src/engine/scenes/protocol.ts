import { UserError } from '../errors';
import { dHash, hamming, NEAR_DUPLICATE_BITS } from './dhash';
import { parseSetSpec, selectScenes } from './resolve';

/** What a run saw while it was made: training scenes and (early stop, choices) validation scenes, by picture. */
export interface SeenScenes {
  /** The --scenes value and the validation one, as given. */
  specs: string[];
  /** 256-bit dHashes of every picture seen. */
  dhashes: string[];
}

/** Fingerprints the run's scenes: a set's stored hashes, or each file's hash computed now. */
export async function seenScenes(specs: readonly (string | undefined)[], files: readonly string[]): Promise<SeenScenes> {
  const given = specs.filter((s): s is string => !!s);
  const hashes = new Set<string>();
  for (const spec of given) {
    const set = parseSetSpec(spec);
    if (set) for (const e of selectScenes(set).entries) hashes.add(e.dhash);
  }
  for (const f of files) hashes.add(await dHash(f));
  return { specs: given, dhashes: [...hashes] };
}

/**
 * The clean-protocol gate: evaluating on a test split refuses a run that trained or validated
 * on that split (by name: set:NAME or set:NAME:test) or on any picture of it (by dHash, so a
 * copy in a plain folder counts too). Other splits pass; their overlap is reported as a note.
 */
export function assertCleanTest(evalSpec: string, seen: SeenScenes | undefined, runLabel: string): void {
  const target = parseSetSpec(evalSpec);
  if (!target || target.split !== 'test') return;
  if (!seen || (seen.specs.length === 0 && seen.dhashes.length === 0)) throw new UserError(`eval ${evalSpec}: ${runLabel} does not say which scenes it trained on; evaluate it on another split or retrain`);
  for (const spec of seen.specs) {
    const s = parseSetSpec(spec);
    if (s && s.set === target.set && (s.split === undefined || s.split === 'test')) throw new UserError(`eval ${evalSpec}: ${runLabel} used ${spec} for training or validation, which holds the test split`);
  }
  const tests = selectScenes(target).entries;
  const leaked = tests.filter((t) => seen.dhashes.some((h) => hamming(h, t.dhash) <= NEAR_DUPLICATE_BITS));
  if (leaked.length > 0) throw new UserError(`eval ${evalSpec}: ${leaked.length} test scene(s) were among ${runLabel}'s training or validation pictures (${leaked.slice(0, 3).map((e) => e.file).join(', ')}${leaked.length > 3 ? ', ...' : ''})`);
}
