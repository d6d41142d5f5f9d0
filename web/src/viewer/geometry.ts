// NIfTI (RAS+) → Cornerstone3D (DICOM LPS) geometry. Cornerstone's world is the DICOM patient system: +x towards
// the patient's left, +y posterior, +z head. NIfTI/nibabel affines map voxels to RAS+: +x towards the patient's right,
// +y anterior, +z head. The two differ by negating x and y, so LPS = diag(-1, -1, 1) · RAS.
import type { VoxelArray } from './nifti';

/** A volume's grid as Cornerstone3D wants it (world = LPS mm). */
export interface LpsGrid {
  dimensions: [number, number, number];
  /** mm between voxel centres along i, j, k. */
  spacing: [number, number, number];
  /** LPS position of voxel (0,0,0). */
  origin: [number, number, number];
  /** Unit vectors of the i, j and k axes in LPS, concatenated (Cornerstone's `direction`). */
  direction: [number, number, number, number, number, number, number, number, number];
  /** True when the k axis was reversed (with the voxels) to make the grid right-handed; see toLpsGrid. */
  flippedK: boolean;
}

/** Row-major 4x4 RAS affine → the LPS grid, reversing k when the axes are left-handed. */
export function toLpsGrid(affineRas: number[], shape: [number, number, number]): LpsGrid {
  const column = (c: number): [number, number, number] => [-affineRas[c], -affineRas[4 + c], affineRas[8 + c]];
  const cols = [column(0), column(1), column(2)];
  let origin: [number, number, number] = [-affineRas[3], -affineRas[7], affineRas[11]];
  const spacing = cols.map((v) => Math.hypot(v[0], v[1], v[2])) as [number, number, number];
  if (spacing.some((s) => !(s > 0))) {
    throw new Error('the affine has a zero-length axis');
  }
  let dirs = cols.map((v, a) => v.map((x) => x / spacing[a]) as [number, number, number]);
  let flippedK = false;
  if (det3(dirs[0], dirs[1], dirs[2]) < 0) {
    // A left-handed grid (one axis flipped, as many NIfTI writers store radiological data). The volume mapper and
    // Cornerstone's slice/camera maths assume a right-handed direction matrix, so reverse k: same voxels in the
    // world, listed from the other end (the caller reverses the slices with flipSlices).
    const k = dirs[2];
    origin = [0, 1, 2].map((d) => origin[d] + (shape[2] - 1) * spacing[2] * k[d]) as [number, number, number];
    dirs = [dirs[0], dirs[1], [-k[0], -k[1], -k[2]]];
    flippedK = true;
  }
  return {
    dimensions: shape,
    spacing,
    origin,
    direction: [...dirs[0], ...dirs[1], ...dirs[2]] as LpsGrid['direction'],
    flippedK,
  };
}

/** Reverses the order of the k slices in place (see toLpsGrid's flippedK). */
export function flipSlices(voxels: VoxelArray, shape: [number, number, number]): void {
  const slice = shape[0] * shape[1];
  const scratch = voxels.slice(0, slice) as VoxelArray;
  for (let a = 0, b = shape[2] - 1; a < b; a++, b--) {
    scratch.set(voxels.subarray(a * slice, (a + 1) * slice));
    voxels.copyWithin(a * slice, b * slice, (b + 1) * slice);
    voxels.set(scratch, b * slice);
  }
}

/** LPS world point of a (continuous) voxel index on the grid. */
export function indexToWorld(grid: LpsGrid, ijk: [number, number, number]): [number, number, number] {
  const d = grid.direction;
  const s = grid.spacing;
  return [0, 1, 2].map((r) => grid.origin[r] + d[r] * s[0] * ijk[0] + d[3 + r] * s[1] * ijk[1] + d[6 + r] * s[2] * ijk[2]) as [number, number, number];
}

/** Continuous voxel index of an LPS world point (general inverse, so sheared grids are exact too). */
export function worldToIndex(grid: LpsGrid, world: [number, number, number]): [number, number, number] {
  const d = grid.direction;
  const s = grid.spacing;
  const a: [number, number, number] = [d[0] * s[0], d[1] * s[0], d[2] * s[0]];
  const b: [number, number, number] = [d[3] * s[1], d[4] * s[1], d[5] * s[1]];
  const c: [number, number, number] = [d[6] * s[2], d[7] * s[2], d[8] * s[2]];
  const p: [number, number, number] = [world[0] - grid.origin[0], world[1] - grid.origin[1], world[2] - grid.origin[2]];
  const det = det3(a, b, c);
  // Cramer's rule on [a b c]·ijk = p.
  return [det3(p, b, c) / det, det3(a, p, c) / det, det3(a, b, p) / det];
}

/** Voxel index in the voxel array as the file stored it, from an index on the (possibly k-reversed) grid. */
export function fileIndex(grid: LpsGrid, ijk: [number, number, number]): [number, number, number] {
  return grid.flippedK ? [ijk[0], ijk[1], grid.dimensions[2] - 1 - ijk[2]] : ijk;
}

function det3(a: number[], b: number[], c: number[]): number {
  return a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0]);
}
