import { UserError } from '../engine/errors';
import { NO_EOT, type EotInput } from '../engine/render/eot';
import type { PhysicalEot } from '../shared/physical-attacks';
import { parseNumber } from './parse';

const SYMMETRIC = { rotation: 'rotation', tilt: 'tilt', jitter: 'jitter', brightness: 'brightness', gain: 'gain', noise: 'noise', 'view-rotation': 'viewRotation', 'view-shift': 'viewShift', flip: 'sceneFlip' } as const;
const RANGES = { scale: 'scale', contrast: 'contrast', gamma: 'gamma', blur: 'blur', 'view-scale': 'viewScale', crop: 'sceneCrop' } as const;

/**
 * `--eot rotation=20,tilt=30,scale=0.8:1.2,brightness=0.3,blur=1,noise=off` (or `none`):
 * symmetric transforms take a half-range (degrees or fraction), ranged ones LOW:HIGH (blur=S
 * means 0:S), `off` switches one off. Scene augmentation: `crop=0.6:1` (window of the photo),
 * `flip=0.5` (probability of mirroring it). Unnamed transforms keep the attack's defaults.
 */
export function parseEot(text: string): EotInput {
  const trimmed = text.trim();
  if (trimmed === 'none' || trimmed === 'off') return { ...NO_EOT };
  const out: Record<string, unknown> = {};
  for (const part of trimmed.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z-]+)\s*=\s*(.+)$/i.exec(part);
    if (!m) throw new UserError(`--eot: '${part}' is not NAME=VALUE`);
    const [, name, value] = m;
    if (name in SYMMETRIC) {
      out[SYMMETRIC[name as keyof typeof SYMMETRIC]] = value === 'off' ? 0 : parseNumber(`--eot ${name}`, value);
    } else if (name in RANGES) {
      const key = RANGES[name as keyof typeof RANGES];
      out[key] = value === 'off' ? (NO_EOT as Record<string, unknown>)[key] : parseRangeValue(name, value);
    } else {
      throw new UserError(`--eot: unknown transform '${name}' (use ${[...Object.keys(SYMMETRIC), ...Object.keys(RANGES)].join(', ')})`);
    }
  }
  return out as EotInput;
}

function parseRangeValue(name: string, value: string): [number, number] {
  const parts = value.split(':');
  if (parts.length === 2) {
    const [lo, hi] = parts.map((p) => parseNumber(`--eot ${name}`, p));
    if (hi < lo) throw new UserError(`--eot ${name}: ${value} has its high end below its low end`);
    return [lo, hi];
  }
  const v = parseNumber(`--eot ${name}`, value);
  return name === 'blur' ? [0, v] : [v, v];
}

/** Ranges in `--eot` syntax (the inverse of parseEot), for help texts that show a declared default. */
export function formatEot(eot: PhysicalEot): string {
  const names: Record<string, string> = Object.fromEntries([...Object.entries(SYMMETRIC), ...Object.entries(RANGES)].map(([flag, key]) => [key, flag]));
  return Object.entries(eot)
    .map(([key, v]) => `${names[key] ?? key}=${Array.isArray(v) ? v.join(':') : String(v)}`)
    .join(',');
}
