import { describe, expect, it } from 'vitest';
import { initialRobustForm, initialTrainForm, robustRequest, trainRequest, withMode } from '../../src/renderer/src/lib/train-form';
import { ContractError, parseParams, RobustConfigSchema, TrainConfigSchema, type TrainConfigInput } from '../../src/shared/index';

/**
 * What `patchlab train` builds from its flags: configFromFlags sets only the flags given, and the
 * engine fills the rest from this same schema (test/cli covers the flag parsing itself).
 */
const cli = (given: TrainConfigInput) => TrainConfigSchema.parse(given);

/** The Train screen's form, through the contract, must land on the config the CLI builds from the same choices. */
function viaContract(form: ReturnType<typeof initialTrainForm>) {
  const job = parseParams('startJob', { kind: 'train', params: trainRequest(form) });
  if (job.kind !== 'train') throw new Error('unreachable');
  return job.params.config;
}

describe('Train screen form', () => {
  it('starts where `patchlab train --arch cnn` starts', () => {
    expect(viaContract(initialTrainForm())).toEqual(cli({ arch: 'cnn' }));
  });

  it('adversarial training sends the CLI defaults for eps, steps and step size', () => {
    const form = { ...initialTrainForm(), adversarial: 'pgd' as const, epochs: 2 };
    expect(viaContract(form)).toEqual(cli({ arch: 'cnn', adversarial: { kind: 'pgd' }, epochs: 2 }));
    const eps = { ...form, eps: 0.2 };
    expect(viaContract(eps).adversarial).toMatchObject({ kind: 'pgd', eps: 0.2, steps: 7, alpha: 0.025 });
  });

  it('distillation switches the temperature to the distill default and back', () => {
    const distill = withMode(initialTrainForm(), 'distill');
    expect(distill.temperature).toBe(100);
    const config = viaContract({ ...distill, teacher: 'teacher-run' });
    expect(config).toEqual(cli({ arch: 'cnn', temperature: 100, teacher: 'teacher-run' }));
    expect(config.adversarial).toBeUndefined();
    expect(withMode(distill, 'train').temperature).toBe(1);
    // A temperature the user typed is kept.
    expect(withMode({ ...distill, temperature: 20 }, 'train').temperature).toBe(20);
  });

  it('the contract refuses a bad form with the field named', () => {
    expect(() => viaContract({ ...initialTrainForm(), epochs: 0 })).toThrow(/startJob: invalid request: params\.config\.epochs/);
    expect(() => parseParams('startJob', { kind: 'train', params: { config: { arch: 'vgg' } } })).toThrow(ContractError);
    expect(() => parseParams('startJob', { kind: 'train', params: { config: {} } })).toThrow(/exactly one of --arch and --from/);
  });

  it('the robustness form sends the CLI report defaults for everything it does not show', () => {
    const form = { ...initialRobustForm(), model: 'my-run' };
    const job = parseParams('startJob', { kind: 'evalRobust', params: robustRequest(form) });
    if (job.kind !== 'evalRobust') throw new Error('unreachable');
    expect(job.params).toEqual(RobustConfigSchema.parse({ model: 'my-run', count: form.count, attacks: form.attacks }));
    // Transfer needs a source model; without one it is left out rather than failing later.
    const transfer = robustRequest({ ...form, attacks: [...form.attacks, 'transfer'] });
    expect(transfer.attacks).not.toContain('transfer');
    expect(robustRequest({ ...form, attacks: ['clean', 'transfer'], source: 'std' }).attacks).toEqual(['clean', 'transfer']);
  });
});
