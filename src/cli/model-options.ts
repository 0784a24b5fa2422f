import type { Command } from 'commander';
import { readLabelsFile, type ModelOverrides } from '../engine/models/loaded';
import { parseChoice, parseRange, parseSize, parseTriple } from './parse';

export interface ModelFlags {
  size?: string;
  layout?: string;
  range?: string;
  mean?: string;
  std?: string;
  bgr?: boolean;
  letterbox?: boolean;
  labels?: string;
  activation?: string;
}

/** The flags that describe how to feed a model that has no manifest (a bare .onnx path). */
export function addModelFlags(command: Command): Command {
  return command
    .option('--size <WxH>', 'input size when the model does not fix it (224 or 320x240)')
    .option('--layout <NCHW|NHWC>', 'input layout (default: NCHW, or guessed from the channel dimension)')
    .option('--range <lo,hi>', 'pixel value range before mean/std (default 0,1)')
    .option('--mean <r,g,b>', 'per-channel mean subtracted after scaling to the range')
    .option('--std <r,g,b>', 'per-channel std divided after subtracting the mean')
    .option('--bgr', 'feed channels in BGR order')
    .option('--letterbox', 'keep the aspect ratio and pad instead of stretching')
    .option('--labels <file>', 'class labels, one per line (or a JSON array)')
    .option('--activation <kind>', 'classifier output kind: logits, probabilities, sigmoid or auto');
}

export function modelOverrides(flags: ModelFlags): ModelOverrides {
  const overrides: ModelOverrides = {};
  if (flags.size) Object.assign(overrides, parseSize('--size', flags.size));
  if (flags.layout) overrides.layout = parseChoice('--layout', flags.layout.toUpperCase(), ['NCHW', 'NHWC'] as const);
  if (flags.range) overrides.range = parseRange('--range', flags.range);
  if (flags.mean) overrides.mean = parseTriple('--mean', flags.mean);
  if (flags.std) overrides.std = parseTriple('--std', flags.std);
  if (flags.bgr) overrides.channelOrder = 'BGR';
  if (flags.letterbox) overrides.resize = 'letterbox';
  if (flags.labels) overrides.labels = readLabelsFile(flags.labels);
  if (flags.activation) {
    overrides.head = { kind: 'classifier', activation: parseChoice('--activation', flags.activation, ['logits', 'probabilities', 'sigmoid', 'auto'] as const) };
  }
  return overrides;
}
