import type { DesignForm } from '../../../shared/design-form';
import { TORSO_SIDE_PER_SIZE } from '../../../shared/physical-attacks';

export { applyAttackDefaults, DEFAULT_EOT, DEMO, demoParams, GOALS, toAttackParams, type DesignForm } from '../../../shared/design-form';

/** What the size slider means for each kind, and its range. */
export const SIZE_RANGE: Record<DesignForm['attack'], { label: string; min: number; max: number; step: number; format: (v: number) => string }> = {
  patch: { label: 'Patch size', min: 0.05, max: 0.6, step: 0.01, format: (v) => `${Math.round(v * 100)}% diag.` },
  sticker: { label: 'Sticker area', min: 0.02, max: 0.3, step: 0.01, format: (v) => `${Math.round(v * 100)}% area` },
  glasses: { label: 'Frame scale', min: 0.8, max: 1.3, step: 0.01, format: (v) => `×${v.toFixed(2)}` },
};

/** The size slider for a form: a chest print is measured in shoulder widths, not the box's diagonal. */
export function sizeRangeOf(f: Pick<DesignForm, 'attack' | 'placement'>): (typeof SIZE_RANGE)[DesignForm['attack']] {
  const range = SIZE_RANGE[f.attack];
  if (f.attack !== 'patch' || f.placement !== 'torso') return range;
  return { ...range, label: 'Shoulder widths', format: (v) => `×${(TORSO_SIDE_PER_SIZE * v).toFixed(2)}` };
}
