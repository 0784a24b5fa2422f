import type { PhysicalAttackInput } from '../../src/engine/attacks/physical/config';

/** A hide-person patch against the toy detector, small enough to run in a second or two. */
export function toyConfig(scenes: string, over: Partial<PhysicalAttackInput> = {}): PhysicalAttackInput {
  return { attack: 'patch', model: 'toy-detector', goal: 'hide', class: 'person', scenes, resolution: 32, steps: 40, batch: 4, size: 0.4, exportSize: 128, checkpointEvery: 5, sampleCount: 4, ...over };
}
