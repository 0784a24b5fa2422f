import { describe, expect, it } from 'vitest';
import { buildObjective } from '../../../../src/engine/attacks/physical/objective';
import type { AttackTarget } from '../../../../src/engine/attacks/physical/target';
import type { ScoreLayout } from '../../../../src/engine/models/decoders/layout';

function target(layout: ScoreLayout): AttackTarget {
  return {
    name: 'fixture',
    hash: '0',
    width: 64,
    height: 64,
    task: 'detector',
    labels: ['person', 'car', 'dog'],
    outputs: { [layout.role]: layout.output },
    threshold: 0.25,
    classAxis: async () => layout.axis,
    scoreLayout: async () => layout,
    createOracle: async () => {
      throw new Error('not needed');
    },
    predict: async () => [],
  };
}

const V5: ScoreLayout = { role: 'output', output: 'output0', axis: 2, classOffset: 5, objectness: 4, spatial: false };
const V8: ScoreLayout = { role: 'output', output: 'output0', axis: 1, classOffset: 4, spatial: false };
const DETR: ScoreLayout = { role: 'logits', output: 'pred_logits', axis: 2, classOffset: 0, activation: 'softmax', spatial: false };

describe('detector objectives on flat heads', () => {
  it("YOLOv5: adversarial-yolo's obj, cls and obj x cls, and tiles as a hinge over anchors", async () => {
    const loss = async (hideLoss: 'obj' | 'cls' | 'obj-cls' | 'max' | 'tiles') => (await buildObjective({ target: target(V5), goal: 'hide', classIndex: 1, hideLoss })).loss;
    expect(await loss('obj')).toEqual({ kind: 'detection', output: 'output0', axis: 2, channel: 4 });
    expect(await loss('cls')).toEqual({ kind: 'detection', output: 'output0', axis: 2, channel: 6 });
    expect(await loss('obj-cls')).toEqual({ kind: 'detection', output: 'output0', axis: 2, channel: 6, objectness: 4 });
    expect(await loss('max')).toEqual(await loss('obj-cls'));
    expect(await loss('tiles')).toEqual({ kind: 'detection', output: 'output0', axis: 2, channel: 6, objectness: 4, floor: 0.125 });
  });

  it('YOLOv8 has no objectness: obj is refused in one line; target raises the target class', async () => {
    await expect(buildObjective({ target: target(V8), goal: 'hide', classIndex: 0, hideLoss: 'obj' })).rejects.toThrow(/--hide-loss obj: fixture has no objectness/);
    await expect(buildObjective({ target: target(V8), goal: 'hide', classIndex: 0, hideLoss: 'topk' })).rejects.toThrow(/--hide-loss topk: applies to heatmap heads \(centernet\); fixture has a list of anchors/);
    const t = await buildObjective({ target: target(V8), goal: 'target', targetIndex: 2 });
    expect(t.loss).toEqual({ kind: 'detection', output: 'output0', axis: 1, channel: 6 });
    expect(t.sign).toBe(-1);
  });

  it("DETR: the class's softmax probability per query", async () => {
    const o = await buildObjective({ target: target(DETR), goal: 'hide', classIndex: 2, hideLoss: 'max' });
    expect(o.loss).toEqual({ kind: 'detection', output: 'pred_logits', axis: 2, channel: 2, activation: 'softmax' });
    expect(o.success(Float32Array.from([0.1, 0.3]), [0, 1], {})).toEqual([true, false]);
  });
});
