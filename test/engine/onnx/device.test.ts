import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { knownProviders, parseDevice, setDevice } from '../../../src/engine/onnx/device';
import { clearSessionCache, createSession } from '../../../src/engine/onnx/session';
import { floatTensor } from '../../../src/engine/tensor/tensor';
import { runPatchlabInProcess } from '../../helpers/cli';
import { modelFixture } from '../../helpers/paths';

const tiny = readFileSync(modelFixture('tinynet.onnx'));
const input = floatTensor([1, 3, 224, 224], Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => ((i * 7919) % 1000) / 1000));

afterEach(async () => {
  setDevice('cpu');
  await clearSessionCache();
});

async function logits(): Promise<Float32Array> {
  const session = await createSession(tiny, { label: 'tinynet' });
  return (await session.run({ input })).logits.data as Float32Array;
}

describe('--device: execution providers', () => {
  it('parses device names and refuses unknown ones in one line naming the choices', () => {
    expect(parseDevice('CUDA')).toBe('cuda');
    expect(() => parseDevice('gpu')).toThrow(/^--device: unknown device 'gpu' \(one of auto, cpu, cuda, tensorrt, dml, coreml, webgpu\)$/);
    expect(knownProviders()).toContain('cpu');
  });

  it('runs on the CPU by default', async () => {
    const session = await createSession(tiny);
    expect(session.providers).toEqual(['cpu']);
  });

  it('auto takes an accelerator that loads, or falls back to the CPU, with the same outputs', async () => {
    const cpu = await logits();
    setDevice('auto');
    const session = await createSession(tiny, { label: 'tinynet' });
    expect(session.providers.at(-1)).toBe('cpu');
    const auto = (await session.run({ input })).logits.data as Float32Array;
    for (let i = 0; i < cpu.length; i++) expect(auto[i]).toBeCloseTo(cpu[i], 3);
  });

  it('refuses a provider this build lacks, and says what to install', async () => {
    const absent = (['dml', 'coreml', 'cuda', 'webgpu'] as const).find((d) => !knownProviders().includes(d));
    if (!absent) return; // every provider is in this build: nothing to refuse
    setDevice(absent);
    await expect(createSession(tiny)).rejects.toThrow(new RegExp(`^--device ${absent}: this onnxruntime-node build has no ${absent} provider \\(it has [a-z, ]+\\); `));
  });

  it('an explicit accelerator that cannot load here is one line, never a silent CPU run', async () => {
    setDevice('cuda');
    try {
      const session = await createSession(tiny, { label: 'tinynet' });
      // A machine with the CUDA binaries: it must really run there and agree with the CPU.
      expect(session.providers[0]).toBe('cuda');
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/^tinynet: --device cuda is not available here \(.+\); on Linux\/Windows x64 with CUDA 12/);
      expect(message).not.toContain('\n');
    }
  });

  it('the CLI takes --device on every command and rejects a bad one with exit 1', async () => {
    const bad = await runPatchlabInProcess(['bench', modelFixture('tinynet.onnx'), '--device', 'tpu', '--iters', '1', '--batch', '1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe("patchlab: --device: unknown device 'tpu' (one of auto, cpu, cuda, tensorrt, dml, coreml, webgpu)");
    const ok = await runPatchlabInProcess(['--device', 'cpu', 'bench', modelFixture('tinynet.onnx'), '--iters', '1', '--batch', '1', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ device: 'cpu', batch: 1 });
  });
});

describe('the app picks the device through the engine service', () => {
  it('reports the device in capabilities, switches it, and refuses one that cannot load without changing it', async () => {
    const { createEngineService } = await import('../../../src/engine/service');
    const { parseResult } = await import('../../../src/shared/index');
    const service = createEngineService();
    try {
      const caps = parseResult('capabilities', await service.call('capabilities', {}));
      expect(caps.device).toMatchObject({ current: 'cpu', providers: ['cpu'] });
      expect(caps.device?.known).toContain('cpu');
      const auto = parseResult('setDevice', await service.call('setDevice', { device: 'auto' }));
      expect(auto.current).toBe('auto');
      expect(auto.providers.at(-1)).toBe('cpu');
      const absent = (['dml', 'coreml'] as const).find((d) => !knownProviders().includes(d));
      if (absent) {
        await expect(service.call('setDevice', { device: absent })).rejects.toThrow(new RegExp(`^--device ${absent}: this onnxruntime-node build has no ${absent} provider`));
        expect(parseResult('capabilities', await service.call('capabilities', {})).device?.current).toBe('auto');
      }
      await expect(service.call('setDevice', { device: 'tpu' })).rejects.toThrow(/setDevice: invalid request/);
    } finally {
      service.dispose();
    }
  });
});
