// Where "jump to this structure" goes: the voxel of the structure nearest its centroid. The centroid alone can fall
// outside a curved structure (colon, aorta arch), and jumping there would show something else.
import type { VoxelArray } from './nifti';

/**
 * Structure centres, computed per label on first request (one pass comparing against that label, about 0.1 s for
 * 100 M voxels; summing every label in one pass costs more than 20 such requests) and cached.
 */
export class StructureCentres {
  private readonly cached = new Map<number, [number, number, number] | null>();

  constructor(private readonly labels: VoxelArray, private readonly shape: [number, number, number]) {}

  /** The label's centroid (continuous voxel index) and voxel count, or null when the label is absent. */
  centroid(value: number): { centroid: [number, number, number]; count: number } | null {
    const [nx, ny, nz] = this.shape;
    const labels = this.labels;
    let count = 0;
    let sx = 0;
    let sy = 0;
    let sz = 0;
    let at = 0;
    for (let z = 0; z < nz; z++) {
      for (let y = 0; y < ny; y++) {
        let rowCount = 0;
        let rowX = 0;
        for (let x = 0; x < nx; x++, at++) {
          if (labels[at] === value) {
            rowCount++;
            rowX += x;
          }
        }
        if (rowCount > 0) {
          count += rowCount;
          sx += rowX;
          sy += y * rowCount;
          sz += z * rowCount;
        }
      }
    }
    return count === 0 ? null : { centroid: [sx / count, sy / count, sz / count], count };
  }

  /** The voxel carrying the label that is nearest its centroid (the centroid's own voxel when it is inside). */
  centre(value: number): [number, number, number] | null {
    if (this.cached.has(value)) return this.cached.get(value)!;
    const found = this.centroid(value);
    let best: [number, number, number] | null = null;
    if (found) {
      const c = found.centroid;
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
    this.cached.set(value, best);
    return best;
  }
}
