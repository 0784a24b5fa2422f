import { resolveAttackConfig, type PhysicalAttackConfig, type PhysicalAttackInput } from '../../attacks/physical/config';
import { newRunId } from '../../runs/run-id';
import { resumePhysicalAttack, runPhysicalAttack, type PhysicalProgress, type PhysicalRunOptions, type PhysicalRunResult } from '../../attacks/physical/run';
import type { ParsedJobRequest, Progress } from '../../../shared/index';
import { runDir } from '../handlers/runs';
import { sceneSetDir } from '../handlers/scenes';
import { formatSetSpec } from '../../scenes/resolve';
import type { JobContext, JobHandler } from '../types';

type AttackParams = Extract<ParsedJobRequest, { kind: 'attack' }>['params'];

/** The Design form's request in the attack engine's terms; what the form leaves out keeps the engine's per-kind defaults. */
export function toPhysicalInput(p: AttackParams): PhysicalAttackInput {
  const e = p.eot;
  return {
    attack: p.attack,
    model: p.model,
    ...(p.goal ? { goal: p.goal } : {}),
    ...(p.className ? { class: p.className } : {}),
    ...(p.target ? { target: p.target } : {}),
    // A managed set's split goes to the engine as `set:NAME:SPLIT` (it reads the manifest and stored boxes).
    scenes: p.split ? formatSetSpec({ set: p.scenes, split: p.split }) : sceneSetDir(p.scenes),
    ...(p.placement ? { placement: { kind: 'detect', on: p.placement } } : {}),
    ...(p.shape ? { shape: p.shape === 'rectangle' ? { kind: 'rectangle', aspect: 2 } : { kind: p.shape } } : {}),
    ...(p.size !== undefined ? { size: p.size } : {}),
    ...(p.resolution !== undefined ? { resolution: p.resolution } : {}),
    ...(p.steps !== undefined ? { steps: p.steps } : {}),
    ...(p.batch !== undefined ? { batch: p.batch } : {}),
    seed: p.seed,
    ...(e ? { eot: { rotation: e.rotation, tilt: e.tilt, scale: [e.scaleMin, e.scaleMax], brightness: e.brightness, contrast: [1 - e.contrast, 1 + e.contrast], blur: [0, e.blur], noise: e.noise } } : {}),
    ...(p.learningRate !== undefined ? { optimiser: { lr: p.learningRate } } : {}),
    ...(p.palette ? { palette: p.palette } : {}),
  };
}

const finite = (v: number): number | undefined => (Number.isFinite(v) ? v : undefined);

export function toProgress(p: PhysicalProgress): Progress {
  return {
    step: p.step,
    steps: p.steps,
    loss: { total: p.loss, ...p.terms },
    success: p.success,
    stepsPerSecond: finite(p.stepsPerSecond),
    etaSeconds: finite(p.etaSeconds),
    ...(p.preview ? { preview: p.preview.png } : {}),
  };
}

function options(ctx: JobContext, onNote: (m: string) => void): PhysicalRunOptions {
  return { signal: ctx.runSignal(), onProgress: (p) => ctx.report(toProgress(p)), onNote, previewEvery: 5 };
}

/**
 * Physical attacks (patch, sticker, glasses). The engine pauses by checkpointing and returning;
 * pause here aborts that run signal, waits for resume, and continues from the checkpoint. A
 * request with `resume` (a run id) continues a run — what the supervisor sends after a crash.
 */
export const attackJob: JobHandler<'attack'> = {
  kind: 'attack',
  capability: () => ({ available: true }),
  title: (p) => (p.resume ? `resume ${p.resume}` : `${p.attack} vs ${p.model}: ${p.goal ?? 'default goal'}${p.className ? ` ${p.className}` : ''}${p.target ? ` → ${p.target}` : ''}`),
  run: (p) => p.resume,
  execute: async (p, ctx) => {
    const id = p.resume ?? newRunId([p.attack, p.goal, p.className ?? p.target, p.model]);
    const dir = runDir(id);
    ctx.setRun(id);
    const notes: string[] = [];
    const onNote = (m: string) => {
      notes.push(m);
      ctx.report({ step: 0, steps: p.steps ?? 0, loss: {}, message: m });
    };
    let result: PhysicalRunResult = p.resume ? await resumePhysicalAttack(dir, options(ctx, onNote)) : await runPhysicalAttack(toPhysicalInput(p), dir, options(ctx, onNote));
    while (result.status === 'paused' && !ctx.signal.aborted) {
      await ctx.waitWhilePaused();
      if (ctx.signal.aborted) break;
      result = await resumePhysicalAttack(dir, options(ctx, onNote));
    }
    return { run: id, result: { status: result.status, stepsDone: result.stepsDone, earlyStopped: result.earlyStopped, recentSuccess: result.recentSuccess, notes } };
  },
};

/** The engine's defaults for an attack kind, goal (its default goal when absent) and patch placement. */
export function attackDefaults(attack: AttackParams['attack'], goal?: AttackParams['goal'], placement?: AttackParams['placement']): PhysicalAttackConfig {
  // Placeholders for what the goal requires (a class, a target); defaults do not depend on them.
  const needs = { class: 'person', target: 'target' };
  const on = placement ? { placement: { kind: 'detect' as const, on: placement } } : {};
  return resolveAttackConfig({ attack, model: 'any', scenes: 'any', ...(goal ? { goal } : {}), ...on, ...needs });
}
