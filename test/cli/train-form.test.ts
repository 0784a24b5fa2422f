import { describe, expect, it } from 'vitest';
import { configFromFlags } from '../../src/cli/commands/train';
import { robustConfigFromFlags } from '../../src/cli/commands/eval-robust';
import { parseTrainConfig } from '../../src/engine/train/config';
import { initialRobustForm, initialTrainForm, robustRequest, trainRequest, withMode } from '../../src/renderer/src/lib/train-form';
import { ContractError, parseParams } from '../../src/shared/index';

/** The Train screen's form, through the contract, must land on the same config the CLI builds from the same choices. */
function viaContract(form: ReturnType<typeof initialTrainForm>) {
  const job = parseParams('startJob', { kind: 'train', params: trainRequest(form) });
  if (job.kind !== 'train') throw new Error('unreachable');
  return job.params.config;
}

describe('Train screen form', () => {
  it('starts where `patchlab train --arch cnn` starts', () => {
    expect(viaContract(initialTrainForm())).toEqual(parseTrainConfig(configFromFlags({ arch: 'cnn' })));
  });

  it('adversarial training sends the CLI defaults for eps, steps and step size', () => {
    const form = { ...initialTrainForm(), adversarial: 'pgd' as const, epochs: 2 };
    expect(viaContract(form)).toEqual(parseTrainConfig(configFromFlags({ arch: 'cnn', adversarial: 'pgd', epochs: '2' })));
    const eps = { ...form, eps: 0.2 };
    expect(viaContract(eps).adversarial).toMatchObject({ kind: 'pgd', eps: 0.2, steps: 7, alpha: 0.025 });
  });

  it('distillation switches the temperature to the distill default and back', () => {
    const distill = withMode(initialTrainForm(), 'distill');
    expect(distill.temperature).toBe(100);
    const config = viaContract({ ...distill, teacher: 'teacher-run' });
    expect(config).toEqual(parseTrainConfig({ ...configFromFlags({ arch: 'cnn', temperature: '100' }), teacher: 'teacher-run' }));
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
    const cli = robustConfigFromFlags('my-run', { count: String(form.count), attacks: form.attacks.join(',') });
    expect(job.params).toEqual(cli);
    // Transfer needs a source model; without one it is left out rather than failing later.
    const transfer = robustRequest({ ...form, attacks: [...form.attacks, 'transfer'] });
    expect(transfer.attacks).not.toContain('transfer');
    expect(robustRequest({ ...form, attacks: ['clean', 'transfer'], source: 'std' }).attacks).toEqual(['clean', 'transfer']);
  });
});
