import { UserError } from '../errors';
import type { Vote } from './ensemble';

/** One defence as named on the command line (`--defence random-resize,jpeg=75`). */
export type DefenceSpec =
  | { kind: 'random-resize'; minScale: number }
  | { kind: 'jpeg'; quality: number }
  | { kind: 'bit-depth'; bits: number }
  | { kind: 'median'; size: number }
  | { kind: 'ensemble'; models: string[]; vote: Vote }
  | { kind: 'consistency'; passes: number; falsePositiveRate: number };

export const DEFENCE_NAMES = ['random-resize', 'jpeg', 'bit-depth', 'median', 'ensemble', 'consistency'] as const;

/** What `--defence` accepts, for help texts. */
export const DEFENCE_HELP =
  'comma-separated, applied in order: random-resize[=MIN_SCALE] (0.9), jpeg[=QUALITY] (75), bit-depth[=BITS] (4), ' +
  'median[=SIZE] (3), ensemble=MODEL+MODEL[:soft|majority] (the attacked model plus these), consistency[=PASSES] (10; a detector)';

/**
 * Parses a defence list such as `random-resize,jpeg=75` or `bit-depth=5,median=2` or
 * `ensemble=a.onnx+b.onnx:majority`. Errors name the flag and the offending item.
 */
export function parseDefences(spec: string, flag = '--defence'): DefenceSpec[] {
  const items = spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new UserError(`${flag}: no defence given (use ${DEFENCE_NAMES.join(', ')})`);
  const out = items.map((item) => parseItem(item, flag));
  for (const kind of ['ensemble', 'consistency'] as const) {
    if (out.filter((d) => d.kind === kind).length > 1) throw new UserError(`${flag}: '${kind}' may appear only once`);
  }
  return out;
}

function parseItem(item: string, flag: string): DefenceSpec {
  const eq = item.indexOf('=');
  const name = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase();
  const value = eq < 0 ? undefined : item.slice(eq + 1).trim();
  const number = (fallback: number, check: (v: number) => boolean, what: string): number => {
    if (value === undefined) return fallback;
    const v = Number(value);
    if (value === '' || !Number.isFinite(v) || !check(v)) throw new UserError(`${flag}: '${item}': ${what}`);
    return v;
  };
  switch (name) {
    case 'random-resize':
      return { kind: 'random-resize', minScale: number(0.9, (v) => v > 0 && v <= 1, 'the smallest scale must be in (0, 1]') };
    case 'jpeg':
      return { kind: 'jpeg', quality: number(75, (v) => Number.isInteger(v) && v >= 1 && v <= 100, 'JPEG quality must be a whole number from 1 to 100') };
    case 'bit-depth':
      return { kind: 'bit-depth', bits: number(4, (v) => Number.isInteger(v) && v >= 1 && v <= 8, 'bits must be a whole number from 1 to 8') };
    case 'median':
      return { kind: 'median', size: number(3, (v) => Number.isInteger(v) && v >= 2 && v <= 15, 'the window must be a whole number from 2 to 15') };
    case 'consistency':
      return { kind: 'consistency', passes: number(10, (v) => Number.isInteger(v) && v >= 2 && v <= 1000, 'passes must be a whole number from 2 to 1000'), falsePositiveRate: 0.05 };
    case 'ensemble': {
      if (!value) throw new UserError(`${flag}: '${item}': name the other models, e.g. ensemble=a.onnx+b.onnx[:soft|majority]`);
      const colon = value.lastIndexOf(':');
      const voteText = colon >= 0 ? value.slice(colon + 1) : 'soft';
      if (voteText !== 'soft' && voteText !== 'majority') throw new UserError(`${flag}: '${item}': the vote must be soft or majority, not '${voteText}'`);
      const models = (colon >= 0 ? value.slice(0, colon) : value).split('+').map((m) => m.trim()).filter((m) => m.length > 0);
      if (models.length === 0) throw new UserError(`${flag}: '${item}': no models listed`);
      return { kind: 'ensemble', models, vote: voteText };
    }
    default:
      throw new UserError(`${flag}: unknown defence '${name}' (known: ${DEFENCE_NAMES.join(', ')})`);
  }
}

/** A short human-readable form, e.g. `random-resize(0.9) -> jpeg(75)`. */
export function describeDefences(specs: readonly DefenceSpec[]): string {
  return specs
    .map((d) => {
      switch (d.kind) {
        case 'random-resize':
          return `random-resize(${d.minScale})`;
        case 'jpeg':
          return `jpeg(${d.quality})`;
        case 'bit-depth':
          return `bit-depth(${d.bits})`;
        case 'median':
          return `median(${d.size})`;
        case 'ensemble':
          return `ensemble(${d.vote}: +${d.models.join('+')})`;
        case 'consistency':
          return `consistency(${d.passes} passes)`;
      }
    })
    .join(' -> ');
}
