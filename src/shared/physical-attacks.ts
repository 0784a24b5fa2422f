/**
 * The physical attacks and the goals each one serves: declared once here, so the engine's
 * validation (attacks/physical/config.ts), the contract (jobs.ts) and the Design form's choices agree.
 * Every default number lives in the engine (resolveAttackConfig) and reaches the app through
 * the attackDefaults call for the chosen kind and goal.
 */
export const PHYSICAL_ATTACKS = ['patch', 'sticker', 'glasses'] as const;
export type PhysicalAttackKind = (typeof PHYSICAL_ATTACKS)[number];

export const PHYSICAL_GOALS = ['hide', 'target', 'untargeted', 'dodge', 'impersonate'] as const;
export type PhysicalGoal = (typeof PHYSICAL_GOALS)[number];

/** The goals an attack kind accepts, its default first. */
export const GOALS_OF: Record<PhysicalAttackKind, readonly PhysicalGoal[]> = {
  patch: ['hide', 'target', 'untargeted'],
  sticker: ['hide', 'target', 'untargeted'],
  glasses: ['dodge', 'impersonate'],
};
