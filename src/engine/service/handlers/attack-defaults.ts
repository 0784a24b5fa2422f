import { attackDefaults } from '../jobs/attack';
import type { CallHandler } from '../types';

/** The attack engine's own defaults for a kind, goal and patch placement (resolveAttackConfig), for the Design form. */
export const attackDefaultsHandler: CallHandler<'attackDefaults'> = async ({ attack, goal, placement }) => {
  const c = attackDefaults(attack, goal, attack === 'patch' ? placement : undefined);
  return {
    goal: c.goal,
    shape: c.shape.kind,
    size: c.size,
    resolution: c.resolution,
    steps: c.steps,
    batch: c.batch,
    learningRate: c.optimiser.lr,
    eot: {
      rotation: c.eot.rotation,
      tilt: c.eot.tilt,
      scaleMin: c.eot.scale[0],
      scaleMax: c.eot.scale[1],
      brightness: c.eot.brightness,
      contrast: Math.max(1 - c.eot.contrast[0], c.eot.contrast[1] - 1),
      noise: c.eot.noise,
      blur: c.eot.blur[1],
    },
    ...(c.placement.kind === 'detect' ? { placement: c.placement.on ?? 'box' } : {}),
  };
};
