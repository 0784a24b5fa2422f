import { DEFAULT_SETTINGS, type AttackSettings, type ImageAttackName } from './catalog';

/**
 * Complete settings for one image attack: what is given, else the attack's own default (the
 * CLI's and the lab's). Per attack: L2 budgets default to 1, MI-FGSM takes 10 steps and C&W 100
 * Adam steps per search step, JSMA pairs 256 candidate pixels and keeps going to a 2-logit lead.
 */
export function resolveAttackSettings(name: ImageAttackName, given: Partial<AttackSettings> = {}): AttackSettings {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<AttackSettings>;
  const norm = defined.norm ?? DEFAULT_SETTINGS.norm;
  return {
    ...DEFAULT_SETTINGS,
    eps: norm === 'l2' ? 1 : DEFAULT_SETTINGS.eps,
    steps: name === 'mifgsm' ? 10 : name === 'cw' ? 100 : DEFAULT_SETTINGS.steps,
    candidates: name === 'jsma' ? 256 : DEFAULT_SETTINGS.candidates,
    kappa: name === 'jsma' ? 2 : DEFAULT_SETTINGS.kappa,
    ...defined,
    norm,
  };
}
