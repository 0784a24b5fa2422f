/** Where models and gradient graphs run (onnxruntime execution providers); `auto` takes the first accelerator that loads, else the CPU. */
export const DEVICES = ['auto', 'cpu', 'cuda', 'tensorrt', 'dml', 'coreml', 'webgpu'] as const;
export type Device = (typeof DEVICES)[number];
