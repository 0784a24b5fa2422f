import ort from 'onnxruntime-node';
import { UserError, firstLine } from '../errors';

import { DEVICES, type Device } from '../../shared/devices';
import type { DeviceStatus } from '../../shared/jobs';
import { writeModel } from './write';

export { DEVICES, type Device };

/** Accelerators `auto` tries, best first; each only where onnxruntime-node can have it. */
const AUTO_ORDER: Exclude<Device, 'auto' | 'cpu'>[] = ['tensorrt', 'cuda', 'dml', 'coreml', 'webgpu'];

/** What a user installs to get each provider; the one-line refusal names it. */
const HOW_TO_GET: Record<Exclude<Device, 'auto' | 'cpu'>, string> = {
  cuda: 'on Linux/Windows x64 with CUDA 12 and cuDNN 9, reinstall onnxruntime-node with its CUDA binaries (ONNXRUNTIME_NODE_INSTALL=cuda12 and its install script allowed; see README)',
  tensorrt: 'needs the CUDA binaries (see --device cuda) and TensorRT 10 on the library path',
  dml: 'DirectML ships with onnxruntime-node on Windows only',
  coreml: 'CoreML ships with onnxruntime-node on macOS only',
  webgpu: 'needs a GPU with a Vulkan/Metal/D3D12 driver that Dawn can open',
};

// onnxruntime's process-wide logger prints a multi-line native error for every provider it
// cannot load; we report those as one line ourselves (providerLoadError), so keep it to fatal.
ort.env.logLevel = 'fatal';

let selected: Device = parseDevice(process.env.PATCHLAB_DEVICE ?? 'cpu', 'PATCHLAB_DEVICE');
let autoChoice: Promise<string[]> | undefined;

export function parseDevice(value: string, flag = '--device'): Device {
  const v = value.trim().toLowerCase();
  if ((DEVICES as readonly string[]).includes(v)) return v as Device;
  throw new UserError(`${flag}: unknown device '${value}' (one of ${DEVICES.join(', ')})`);
}

/** Sets the device every session created from now on uses (the CLI's --device, the app's picker). */
export function setDevice(device: Device): void {
  selected = device;
  autoChoice = undefined;
}

export function currentDevice(): Device {
  return selected;
}

/** The execution providers this onnxruntime-node build knows on this platform (loadable or not). */
export function knownProviders(): string[] {
  return ort.listSupportedBackends().map((b) => b.name);
}

/**
 * Execution providers for a session: the device first, then the CPU, which runs whatever
 * node the accelerator has no kernel for (onnxruntime assigns nodes in list order).
 */
export async function providersFor(device: Device, probe: (providers: string[]) => Promise<void>): Promise<string[]> {
  if (device === 'cpu') return ['cpu'];
  if (device !== 'auto') {
    if (!knownProviders().includes(device)) {
      throw new UserError(`--device ${device}: this onnxruntime-node build has no ${device} provider (it has ${knownProviders().join(', ')}); ${HOW_TO_GET[device]}`);
    }
    return [device, 'cpu'];
  }
  autoChoice ??= (async () => {
    for (const candidate of AUTO_ORDER) {
      if (!knownProviders().includes(candidate)) continue;
      try {
        await probe([candidate, 'cpu']);
        return [candidate, 'cpu'];
      } catch {
        // Not loadable here (no driver, no CUDA libraries): try the next, then the CPU.
      }
    }
    return ['cpu'];
  })();
  return autoChoice;
}

/** One line for a provider that is listed but fails to load (driver, libraries). */
export function providerLoadError(device: Device, label: string, error: unknown): UserError {
  const how = device === 'auto' || device === 'cpu' ? '' : `; ${HOW_TO_GET[device]}`;
  return new UserError(`${label}: --device ${device} is not available here (${firstLine(error)})${how}`, { cause: error });
}

/** A one-node model (Relu on [1,4]) to ask whether a provider loads, before any real model is at hand. */
function probeModel(): Uint8Array {
  return writeModel({
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'patchlab',
    producerVersion: '',
    domain: '',
    modelVersion: 1,
    docString: '',
    metadata: {},
    functions: [],
    graph: {
      name: 'probe',
      nodes: [{ name: 'relu', opType: 'Relu', domain: '', inputs: ['x'], outputs: ['y'], attributes: {} }],
      initializers: new Map(),
      inputs: [{ name: 'x', type: 'float32', shape: [1, 4] }],
      outputs: [{ name: 'y', type: 'float32', shape: [1, 4] }],
      valueInfo: [],
      docString: '',
    },
  });
}

/** The current device, what this build knows, and what the device resolves to here (the app's picker shows it). */
export async function deviceStatus(): Promise<DeviceStatus> {
  const device = currentDevice();
  let providers: string[];
  try {
    const bytes = probeModel();
    providers = await providersFor(device, async (candidate) => {
      await (await ort.InferenceSession.create(bytes, { executionProviders: candidate as ort.InferenceSession.ExecutionProviderConfig[], logSeverityLevel: 4 })).release();
    });
    if (device !== 'auto' && device !== 'cpu') await (await ort.InferenceSession.create(probeModel(), { executionProviders: providers as ort.InferenceSession.ExecutionProviderConfig[], logSeverityLevel: 4 })).release();
  } catch (error) {
    throw error instanceof UserError ? error : providerLoadError(device, 'device', error);
  }
  return { current: device, known: knownProviders(), providers };
}
