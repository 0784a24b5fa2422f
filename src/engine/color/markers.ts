/**
 * Finds the chart's four corner markers in a photo: square rings (1 module thick) around a 3x3
 * module centre, the finder pattern of QR codes. A marker is a dark connected component (the
 * ring) with a second one (the centre) inside its bounding box, at its centroid, of about 3/8
 * of its area. Thresholding is local (mean of a window a sixteenth of the image wide) so uneven
 * light and a dark table around the page do not matter.
 */

export interface GrayImage {
  width: number;
  height: number;
  /** Luma 0-255, row-major. */
  data: Float32Array;
}

export interface Marker {
  x: number;
  y: number;
  /** Side of the ring's bounding box, pixels. */
  size: number;
}

interface Component {
  area: number;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  sumX: number;
  sumY: number;
}

export function findMarkers(gray: GrayImage): Marker[] {
  const dark = threshold(gray);
  const components = label(dark, gray.width, gray.height).filter((c) => c.area >= 6);
  const markers: Marker[] = [];
  for (const ring of components) {
    const rw = ring.maxX - ring.minX + 1;
    const rh = ring.maxY - ring.minY + 1;
    if (rw < 7 || rh < 7 || rw / rh > 3 || rh / rw > 3) continue;
    const fill = ring.area / (rw * rh);
    if (fill < 0.2 || fill > 0.8) continue;
    const rx = ring.sumX / ring.area;
    const ry = ring.sumY / ring.area;
    for (const centre of components) {
      if (centre === ring) continue;
      if (centre.minX <= ring.minX || centre.maxX >= ring.maxX || centre.minY <= ring.minY || centre.maxY >= ring.maxY) continue;
      const ratio = centre.area / ring.area;
      if (ratio < 0.15 || ratio > 0.9) continue;
      const cw = centre.maxX - centre.minX + 1;
      const ch = centre.maxY - centre.minY + 1;
      if (cw / rw < 0.2 || cw / rw > 0.7 || ch / rh < 0.2 || ch / rh > 0.7) continue;
      const cx = centre.sumX / centre.area;
      const cy = centre.sumY / centre.area;
      if (Math.hypot(cx - rx, cy - ry) > 0.12 * Math.max(rw, rh)) continue;
      const area = ring.area + centre.area;
      markers.push({ x: (ring.sumX + centre.sumX) / area, y: (ring.sumY + centre.sumY) / area, size: Math.sqrt(rw * rh) });
      break;
    }
  }
  return markers;
}

/** Dark where luma is below 75% of the local mean (and not in a uniformly dark area). */
function threshold(gray: GrayImage): Uint8Array {
  const { width: W, height: H, data } = gray;
  const integral = new Float64Array((W + 1) * (H + 1));
  for (let y = 0; y < H; y++) {
    let row = 0;
    for (let x = 0; x < W; x++) {
      row += data[y * W + x];
      integral[(y + 1) * (W + 1) + x + 1] = integral[y * (W + 1) + x + 1] + row;
    }
  }
  const r = Math.max(8, Math.round(Math.min(W, H) / 16));
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(H, y + r + 1);
    for (let x = 0; x < W; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(W, x + r + 1);
      const sum = integral[y1 * (W + 1) + x1] - integral[y0 * (W + 1) + x1] - integral[y1 * (W + 1) + x0] + integral[y0 * (W + 1) + x0];
      const mean = sum / ((x1 - x0) * (y1 - y0));
      const v = data[y * W + x];
      out[y * W + x] = v < 0.75 * mean && v < mean - 12 ? 1 : 0;
    }
  }
  return out;
}

/** 4-connected components of the set pixels (two-pass labelling with union-find). */
function label(mask: Uint8Array, W: number, H: number): Component[] {
  const labels = new Int32Array(W * H);
  const parent: number[] = [0];
  const find = (a: number): number => {
    while (parent[a] !== a) a = parent[a] = parent[parent[a]];
    return a;
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      if (!mask[p]) continue;
      const left = x > 0 ? labels[p - 1] : 0;
      const up = y > 0 ? labels[p - W] : 0;
      if (!left && !up) {
        parent.push(parent.length);
        labels[p] = parent.length - 1;
      } else if (left && up) {
        const a = find(left);
        const b = find(up);
        labels[p] = Math.min(a, b);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      } else {
        labels[p] = left || up;
      }
    }
  }
  const byRoot = new Map<number, Component>();
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const l = labels[y * W + x];
      if (!l) continue;
      const root = find(l);
      let c = byRoot.get(root);
      if (!c) byRoot.set(root, (c = { area: 0, minX: x, maxX: x, minY: y, maxY: y, sumX: 0, sumY: 0 }));
      c.area++;
      c.sumX += x + 0.5;
      c.sumY += y + 0.5;
      if (x < c.minX) c.minX = x;
      if (x > c.maxX) c.maxX = x;
      if (y < c.minY) c.minY = y;
      if (y > c.maxY) c.maxY = y;
    }
  }
  return [...byRoot.values()];
}

/**
 * Of the markers found, the four that belong together (most alike in size), in clockwise order
 * as seen in the image (y down), starting anywhere. Undefined when fewer than four were found.
 */
export function pickCorners(markers: Marker[]): Marker[] | undefined {
  if (markers.length < 4) return undefined;
  const bySize = [...markers].sort((a, b) => a.size - b.size);
  let best: Marker[] | undefined;
  let bestSpread = Infinity;
  for (let i = 0; i + 4 <= bySize.length; i++) {
    const spread = bySize[i + 3].size / bySize[i].size;
    if (spread < bestSpread) {
      bestSpread = spread;
      best = bySize.slice(i, i + 4);
    }
  }
  if (!best) return undefined;
  const cx = best.reduce((s, m) => s + m.x, 0) / 4;
  const cy = best.reduce((s, m) => s + m.y, 0) / 4;
  return best.sort((a, b) => Math.atan2(a.y - cy, a.x - cx) - Math.atan2(b.y - cy, b.x - cx));
}
