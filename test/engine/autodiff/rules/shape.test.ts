import { describe, it } from 'vitest';
import { expectGradient, int, ints, str } from '../gradcheck';

describe('gradient rules: reshaping and moving elements (float64)', () => {
  it('Reshape, Flatten, Squeeze, Unsqueeze', async () => {
    await expectGradient({ op: 'Reshape', inputs: [{ dims: [2, 3, 4] }, { dims: [2], role: 'int', values: [4, -1] }] });
    await expectGradient({ op: 'Flatten', inputs: [{ dims: [2, 3, 2, 2] }], attrs: { axis: int(2) } });
    await expectGradient({ op: 'Squeeze', inputs: [{ dims: [2, 1, 3] }, { dims: [1], role: 'int', values: [1] }] });
    await expectGradient({ op: 'Unsqueeze', inputs: [{ dims: [2, 3] }, { dims: [2], role: 'int', values: [0, 3] }] });
  });
  it('Identity, Dropout, Cast', async () => {
    await expectGradient({ op: 'Identity', inputs: [{ dims: [2, 3] }] });
    await expectGradient({ op: 'Dropout', inputs: [{ dims: [2, 3] }] });
    await expectGradient({ op: 'Cast', inputs: [{ dims: [2, 3] }], attrs: { to: int(1) }, atol: 1e-6, rtol: 1e-6, eps: 1e-2 });
  });
  it('Transpose with and without perm', async () => {
    await expectGradient({ op: 'Transpose', inputs: [{ dims: [2, 3, 4] }], attrs: { perm: ints([1, 2, 0]) } });
    await expectGradient({ op: 'Transpose', inputs: [{ dims: [2, 3, 4] }] });
  });
  it('Expand and Tile sum the copies', async () => {
    await expectGradient({ op: 'Expand', inputs: [{ dims: [3, 1] }, { dims: [3], role: 'int', values: [2, 3, 4] }] });
    await expectGradient({ op: 'Tile', inputs: [{ dims: [2, 1, 3] }, { dims: [3], role: 'int', values: [2, 3, 1] }] });
  });
  it('DepthToSpace (DCR, CRD) and SpaceToDepth', async () => {
    await expectGradient({ op: 'DepthToSpace', inputs: [{ dims: [1, 8, 2, 3] }], attrs: { blocksize: int(2) } });
    await expectGradient({ op: 'DepthToSpace', inputs: [{ dims: [1, 8, 2, 3] }], attrs: { blocksize: int(2), mode: str('CRD') } });
    await expectGradient({ op: 'SpaceToDepth', inputs: [{ dims: [1, 2, 4, 6] }], attrs: { blocksize: int(2) } });
  });
});

describe('gradient rules: slicing and gathering (float64)', () => {
  it('Concat along an axis', () => expectGradient({ op: 'Concat', inputs: [{ dims: [2, 1, 3] }, { dims: [2, 3, 3] }, { dims: [2, 2, 3] }], attrs: { axis: int(1) } }));
  it('Split with sizes', () => expectGradient({ op: 'Split', inputs: [{ dims: [2, 5] }, { dims: [2], role: 'int', values: [2, 3] }], attrs: { axis: int(1) }, outputs: 2 }));
  it('Slice with steps 1, 2, -1, -2, negative indices and clamped ends', async () => {
    const slice = (starts: number[], ends: number[], axes: number[], steps: number[]) =>
      expectGradient({
        op: 'Slice',
        inputs: [
          { dims: [3, 7, 5] },
          { dims: [starts.length], role: 'int', values: starts },
          { dims: [ends.length], role: 'int', values: ends },
          { dims: [axes.length], role: 'int', values: axes },
          { dims: [steps.length], role: 'int', values: steps },
        ],
      });
    await slice([1, 0], [3, 4], [1, 2], [1, 1]);
    await slice([0, 1], [7, 100], [1, 2], [2, 2]);
    await slice([-1], [-(2 ** 63)], [1], [-1]);
    await slice([5, -1], [0, 0], [1, 2], [-2, -2]);
    await slice([-3], [1000], [0], [1]);
  });
  it('Pad: constant (including negative pads), reflect and edge', async () => {
    const pad = (mode: string, pads: number[]) =>
      expectGradient({ op: 'Pad', inputs: [{ dims: [2, 3, 4] }, { dims: [pads.length], role: 'int', values: pads }], attrs: { mode: str(mode) } });
    await pad('constant', [0, 1, 2, 0, 2, 1]);
    await pad('constant', [0, -1, 1, 0, 1, -2]);
    await pad('reflect', [0, 2, 1, 0, 1, 3]);
    await pad('edge', [0, 2, 1, 0, 1, 3]);
  });
  it('Pad with an axes input (opset 18)', () =>
    expectGradient({ op: 'Pad', inputs: [{ dims: [2, 3, 4] }, { dims: [2], role: 'int', values: [1, 2] }, { dims: [], role: 'skip' }, { dims: [1], role: 'int', values: [2] }], attrs: { mode: str('reflect') }, opset: 18 }));
  it('Gather with repeated, negative, scalar and 2-D indices', async () => {
    await expectGradient({ op: 'Gather', inputs: [{ dims: [2, 4, 3] }, { dims: [3], role: 'int', values: [2, 0, 2] }], attrs: { axis: int(1) } });
    await expectGradient({ op: 'Gather', inputs: [{ dims: [2, 4, 3] }, { dims: [], role: 'int', values: [-1] }], attrs: { axis: int(1) } });
    await expectGradient({ op: 'Gather', inputs: [{ dims: [4, 3] }, { dims: [2, 2], role: 'int', values: [3, 1, 1, 0] }] });
  });
  it('GatherElements', () =>
    expectGradient({ op: 'GatherElements', inputs: [{ dims: [2, 3] }, { dims: [2, 2], role: 'int', values: [2, 2, 0, 1] }], attrs: { axis: int(1) } }));
});
