// Where "jump to this structure" goes: the voxel of the structure nearest its centroid. The centroid alone can fall
// outside a curved structure (colon, aorta arch), and jumping there would show something else.
import type { VoxelArray } from './nifti';

/** Per-label voxel counts and centroids, computed in one pass over the label map. */
export class StructureCentres {
  private readonly counts: Float64Array;
  private readonly sums: Float64Array;
  private readonly nearest = new Map<number, [number, number, number] | null>();

  constructor(private readonly labels: VoxelArray, private readonly shape: [number, number, number]) {
    let max = 0;
    for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
    this.counts = new Float64Array(max + 1);
    this.sums = new Float64Array(3 * (max + 1));
    const [nx, ny, nz] = shape;
    let at = 0;
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++, at++) {
          const v = labels[at];
          if (v !== 0) {
            this.counts[v]++;
            this.sums[3 * v] += x;
            this.sums[3 * v + 1] += y;
            this.sums[3 * v + 2] += z;
          }
        }
      }
    }
  }

  /** The largest label value in the map. */
  get maxValue(): number {
    return this.counts.length - 1;
  }

  /** Number of voxels with this label (0 when absent). */
  voxelCount(value: number): number {
    return value > 0 && value < this.counts.length ? this.counts[value] : 0;
  }

  /** The label's centroid (continuous voxel index), or null when the label is absent. */
  centroid(value: number): [number, number, number] | null {
    const n = this.voxelCount(value);
    if (n === 0) return null;
    return [this.sums[3 * value] / n, this.sums[3 * value + 1] / n, this.sums[3 * value + 2] / n];
  }

  /** The voxel carrying the label that is nearest its centroid (the centroid's own voxel when it is inside). */
  centre(value: number): [number, number, number] | null {
    if (this.nearest.has(value)) return this.nearest.get(value)!;
    const c = this.centroid(value);
    let best: [number, number, number] | null = null;
    if (c) {
      const [nx, ny] = this.shape;
      const r = c.map(Math.round) as [number, number, number];
      if (this.labels[r[0] + nx * (r[1] + ny * r[2])] === value) {
        best = r;
      } else {
        let bestD = Infinity;
        let at = 0;
        for (let z = 0; z < this.shape[2]; z++) {
          for (let y = 0; y < ny; y++) {
            for (let x = 0; x < nx; x++, at++) {
              if (this.labels[at] !== value) continue;
              const d = (x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2;
              if (d < bestD) {
                bestD = d;
                best = [x, y, z];
              }
            }
          }
        }
      }
    }
    this.nearest.set(value, best);
    return best;
  }
}
