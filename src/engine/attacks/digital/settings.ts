import { IMAGE_ATTACKS_DECLARED } from '../../../shared/digital-attacks';
import { DEFAULT_SETTINGS, type AttackSettings, type ImageAttackName } from './catalog';

/**
 * Complete settings for one image attack: what is given, else the attack's own default (the
 * CLI's and the lab's): the shared defaults, an L2 budget of 1, then the attack's declared
 * defaults (src/shared/digital-attacks.ts: MI-FGSM 10 steps, C&W 100 Adam steps per search
 * step, JSMA 256 candidate pixels and a 2-logit lead).
 */
export function resolveAttackSettings(name: ImageAttackName, given: Partial<AttackSettings> = {}): AttackSettings {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<AttackSettings>;
  const norm = defined.norm ?? DEFAULT_SETTINGS.norm;
  return {
    ...DEFAULT_SETTINGS,
    eps: norm === 'l2' ? 1 : DEFAULT_SETTINGS.eps,
    ...IMAGE_ATTACKS_DECLARED[name].defaults,
    ...defined,
    norm,
  };
}
