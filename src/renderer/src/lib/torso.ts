import type { Quad } from './warp';

/** One person's patch placement from the engine (placeTorso), in fractions of the frame. */
export interface TorsoPlacement {
  /** torso: on the chest from keypoints; box: the box rule (shoulders missing or unsure). */
  on: 'torso' | 'box';
  quad: Quad;
  /** MoveNet's 17 keypoints (x, y as fractions; confidence). */
  keypoints: [number, number, number][];
  /** The confidence the engine trusts a keypoint from. */
  minScore: number;
}

/** Shoulders and hips: the keypoints torso placement reads (MoveNet's order). */
const TORSO_KEYPOINTS = [5, 6, 11, 12];

export function torsoQuads(placements: readonly TorsoPlacement[], w: number, h: number): Quad[] {
  return placements.map((p) => p.quad.map((c) => ({ x: c.x * w, y: c.y * h })) as Quad);
}

/** The shoulders and hips the placement read, joined, so the user sees why the patch sits where it does. */
export function drawTorsoMarks(ctx: CanvasRenderingContext2D, placements: readonly TorsoPlacement[], w: number, h: number): void {
  ctx.save();
  for (const p of placements) {
    const pts = TORSO_KEYPOINTS.map((k) => p.keypoints[k]).filter((k) => k && k[2] >= p.minScore);
    ctx.fillStyle = p.on === 'torso' ? '#38e07b' : '#ffb020';
    ctx.strokeStyle = ctx.fillStyle;
    ctx.lineWidth = 2;
    for (const [x, y] of pts) {
      ctx.beginPath();
      ctx.arc(x * w, y * h, 4, 0, 2 * Math.PI);
      ctx.fill();
    }
    const [ls, rs] = [p.keypoints[5], p.keypoints[6]];
    if (ls && rs && ls[2] >= p.minScore && rs[2] >= p.minScore) {
      ctx.beginPath();
      ctx.moveTo(ls[0] * w, ls[1] * h);
      ctx.lineTo(rs[0] * w, rs[1] * h);
      ctx.stroke();
    }
  }
  ctx.restore();
}
