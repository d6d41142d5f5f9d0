// NIfTI-1 reading for the viewer: header, best affine (as nibabel chooses it), label table extension, voxels.
// Written here rather than taken from a loader so the geometry path is ours end to end (see geometry.ts) and a
// 200 MB volume is inflated straight into its final typed array (no second copy of the decompressed file).
import { gunzip } from './gunzip';

/** Voxel arrays the viewer keeps: what Cornerstone3D can texture directly. */
export type VoxelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Float32Array;

/** A NIfTI-1 image after reading: shape, RAS+ voxel-to-world affine and voxels (X fastest). */
export interface NiftiImage {
  /** Voxels per axis (i, j, k). */
  shape: [number, number, number];
  /** 4x4 voxel→world affine in RAS+ mm, row-major, as nibabel's get_best_affine gives it. */
  affine: number[];
  /** Which header field the affine came from. */
  affineSource: 'sform' | 'qform' | 'pixdim';
  /** Stored values (scaled by slope/intercept already when the header asks for it). */
  voxels: VoxelArray;
  /** Labels found in the header extension (TotalSegmentator's Caret XML `<Label Key="5" …><![CDATA[liver]]></Label>`), if any. */
  labelTable: Map<number, string>;
}

/** Thrown for anything that is not a readable NIfTI-1 file; the message is "source: problem". */
export class NiftiFormatError extends Error {
  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`);
    this.name = 'NiftiFormatError';
  }
}

/** Largest voxel block the viewer accepts (bytes after conversion), so a hostile header cannot ask for 100 GB. */
export const MaxVoxelBytes = 2 ** 31 - 1;

const headerBytes = 348;

interface Header {
  littleEndian: boolean;
  shape: [number, number, number];
  datatype: number;
  bitpix: number;
  voxOffset: number;
  slope: number;
  intercept: number;
  affine: number[];
  affineSource: 'sform' | 'qform' | 'pixdim';
}

/** Fetches and reads a NIfTI-1 file (.nii or .nii.gz, decided by content), streaming the inflation. */
export async function fetchNifti(url: string, init?: RequestInit, asLabels = false): Promise<NiftiImage> {
  const response = await fetch(url, { credentials: 'same-origin', ...init });
  if (!response.ok || !response.body) {
    throw new NiftiFormatError(url, `HTTP ${response.status} ${response.statusText}`.trim());
  }
  return readNifti(response.body, url, asLabels);
}

/** Reads a NIfTI-1 stream (gzip or plain, decided by the first two bytes). */
export async function readNifti(body: ReadableStream<Uint8Array>, source: string, asLabels = false): Promise<NiftiImage> {
  const reader = new ChunkReader(await maybeGunzip(body, source), source);
  const head = await reader.readExactly(headerBytes, 'the header');
  const header = parseHeader(head, source);
  const extension = header.voxOffset > headerBytes ? await reader.readExactly(header.voxOffset - headerBytes, 'the header extensions') : new Uint8Array(0);
  const voxelCount = header.shape[0] * header.shape[1] * header.shape[2];
  const bytesPerVoxel = header.bitpix / 8;
  const raw = await reader.readExactly(voxelCount * bytesPerVoxel, 'the voxel data');
  const voxels = convertVoxels(raw, header, voxelCount, source, asLabels);
  return {
    shape: header.shape,
    affine: header.affine,
    affineSource: header.affineSource,
    voxels,
    labelTable: parseLabelTable(extension, header.littleEndian),
  };
}

async function maybeGunzip(body: ReadableStream<Uint8Array>, source: string): Promise<ReadableStream<Uint8Array>> {
  // Peek the first chunk to decide, then put it back in front of the rest.
  const reader = body.getReader();
  const first = await reader.read();
  if (first.done || first.value.length === 0) {
    throw new NiftiFormatError(source, 'empty');
  }
  const rest = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(first.value);
    },
    async pull(controller) {
      const next = await reader.read();
      if (next.done) {
        controller.close();
      } else {
        controller.enqueue(next.value);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  const gz = first.value[0] === 0x1f && (first.value.length < 2 || first.value[1] === 0x8b);
  return gz ? gunzip(rest) : rest;
}

/** Reads exact byte counts from a stream of chunks, copying each byte once into its destination. */
class ChunkReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private pending: Uint8Array = new Uint8Array(0);

  constructor(stream: ReadableStream<Uint8Array>, private readonly source: string) {
    this.reader = stream.getReader();
  }

  async readExactly(count: number, what: string): Promise<Uint8Array> {
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      if (this.pending.length === 0) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await this.reader.read();
        } catch (e) {
          throw new NiftiFormatError(this.source, `corrupt compressed data in ${what} (${(e as Error).message})`);
        }
        if (next.done) {
          throw new NiftiFormatError(this.source, `truncated: ${what} needs ${count} bytes, the file ends after ${filled}`);
        }
        this.pending = next.value;
      }
      const take = Math.min(count - filled, this.pending.length);
      out.set(this.pending.subarray(0, take), filled);
      this.pending = this.pending.subarray(take);
      filled += take;
    }
    return out;
  }
}

function parseHeader(bytes: Uint8Array, source: string): Header {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le = true;
  const size = view.getInt32(0, true);
  if (size !== 348) {
    if (view.getInt32(0, false) === 348) {
      le = false;
    } else if (size === 540 || view.getInt32(0, false) === 540) {
      throw new NiftiFormatError(source, 'NIfTI-2 is not supported by the viewer (write NIfTI-1)');
    } else {
      throw new NiftiFormatError(source, 'not a NIfTI-1 file (sizeof_hdr is not 348)');
    }
  }
  const magic = String.fromCharCode(bytes[344], bytes[345], bytes[346]);
  if (magic !== 'n+1' && magic !== 'ni1') {
    throw new NiftiFormatError(source, `not a NIfTI-1 file (magic "${magic}")`);
  }
  if (magic === 'ni1') {
    throw new NiftiFormatError(source, 'a two-file (.hdr/.img) NIfTI pair cannot be viewed; use a single .nii/.nii.gz');
  }
  const i16 = (o: number) => view.getInt16(o, le);
  const f32 = (o: number) => view.getFloat32(o, le);
  const ndim = i16(40);
  if (ndim < 1 || ndim > 7) {
    throw new NiftiFormatError(source, `dim[0] = ${ndim} is not 1 to 7`);
  }
  const dims = [1, 2, 3].map((d) => (d <= ndim ? i16(40 + 2 * d) : 1));
  for (let d = 4; d <= ndim; d++) {
    if (i16(40 + 2 * d) > 1) {
      throw new NiftiFormatError(source, `a ${ndim}D image (dim[${d}] = ${i16(40 + 2 * d)}); the viewer shows 3D volumes`);
    }
  }
  if (dims.some((n) => n < 1)) {
    throw new NiftiFormatError(source, `non-positive dimensions ${dims.join('×')}`);
  }
  const shape: [number, number, number] = [dims[0], dims[1], dims[2]];
  const datatype = i16(70);
  const bitpix = bytesPerType(datatype, source) * 8;
  const voxOffset = f32(108);
  if (!Number.isFinite(voxOffset) || voxOffset < headerBytes + 4 || voxOffset > 64 * 1024 * 1024 || voxOffset !== Math.floor(voxOffset)) {
    throw new NiftiFormatError(source, `vox_offset ${voxOffset} is not a whole number from 352 to 64 MiB`);
  }
  const voxelBytes = shape[0] * shape[1] * shape[2] * Math.max(bitpix / 8, 2);
  if (voxelBytes > MaxVoxelBytes) {
    throw new NiftiFormatError(source, `${shape.join('×')} voxels are more than the viewer holds (2 GiB)`);
  }
  let slope = f32(112);
  let intercept = f32(116);
  if (!Number.isFinite(slope) || slope === 0) {
    // NIfTI: a zero (or unusable) slope means "no scaling".
    slope = 1;
    intercept = 0;
  }
  if (!Number.isFinite(intercept)) {
    intercept = 0;
  }
  const pixdim = [0, 1, 2, 3, 4, 5, 6, 7].map((d) => f32(76 + 4 * d));
  const zooms = [1, 2, 3].map((d) => (d <= ndim && Number.isFinite(pixdim[d]) && pixdim[d] !== 0 ? Math.abs(pixdim[d]) : 1));
  const qformCode = i16(252);
  const sformCode = i16(254);
  let affine: number[];
  let affineSource: Header['affineSource'];
  // nibabel's get_best_affine: sform when its code is set, else qform when set, else the pixdim-only base affine.
  if (sformCode > 0) {
    affine = [...[0, 1, 2, 3].map((c) => f32(280 + 4 * c)), ...[0, 1, 2, 3].map((c) => f32(296 + 4 * c)), ...[0, 1, 2, 3].map((c) => f32(312 + 4 * c)), 0, 0, 0, 1];
    affineSource = 'sform';
  } else if (qformCode > 0) {
    affine = qformAffine(f32(256), f32(260), f32(264), [f32(268), f32(272), f32(276)], zooms, pixdim[0]);
    affineSource = 'qform';
  } else {
    // nibabel's shape_zoom_affine with x flipped: the volume centred on the origin, radiological x.
    affine = [
      -zooms[0], 0, 0, ((shape[0] - 1) / 2) * zooms[0],
      0, zooms[1], 0, -((shape[1] - 1) / 2) * zooms[1],
      0, 0, zooms[2], -((shape[2] - 1) / 2) * zooms[2],
      0, 0, 0, 1,
    ];
    affineSource = 'pixdim';
  }
  if (affine.some((v) => !Number.isFinite(v))) {
    throw new NiftiFormatError(source, `the ${affineSource} affine has non-finite entries`);
  }
  return { littleEndian: le, shape, datatype, bitpix, voxOffset, slope, intercept, affine, affineSource };
}

/** The qform quaternion (b, c, d), offsets and zooms as a 4x4 row-major affine (NIfTI-1 standard, method 2). */
function qformAffine(b: number, c: number, d: number, offset: number[], zooms: number[], qfacRaw: number): number[] {
  const aSquared = 1 - (b * b + c * c + d * d);
  // Rounding can push 1 - |bcd|² slightly negative for a 180° rotation; the standard then takes a = 0.
  const a = aSquared < 1e-7 ? 0 : Math.sqrt(aSquared);
  const r = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
  const qfac = qfacRaw < 0 ? -1 : 1;
  const z = [zooms[0], zooms[1], zooms[2] * qfac];
  const m: number[] = [];
  for (let row = 0; row < 3; row++) {
    m.push(r[row][0] * z[0], r[row][1] * z[1], r[row][2] * z[2], offset[row]);
  }
  m.push(0, 0, 0, 1);
  return m;
}

function bytesPerType(datatype: number, source: string): number {
  switch (datatype) {
    case 2: // uint8
    case 256: // int8
      return 1;
    case 4: // int16
    case 512: // uint16
      return 2;
    case 8: // int32
    case 768: // uint32
    case 16: // float32
      return 4;
    case 64: // float64
      return 8;
    default:
      throw new NiftiFormatError(source, `datatype ${datatype} cannot be viewed (integers, float32 and float64 can)`);
  }
}

/**
 * The voxels in a type Cornerstone3D textures: int8/uint8/int16/uint16 stay as stored when unscaled; anything
 * scaled or wider becomes float32 (HU for a CT with slope/intercept). Label maps become uint8 or uint16 (rounded).
 */
function convertVoxels(raw: Uint8Array, header: Header, count: number, source: string, asLabels: boolean): VoxelArray {
  const le = header.littleEndian;
  const bpv = header.bitpix / 8;
  if (!le && bpv > 1) {
    swapBytes(raw, bpv);
  }
  const buffer = raw.buffer as ArrayBuffer;
  let stored: ArrayLike<number>;
  switch (header.datatype) {
    case 2: stored = new Uint8Array(buffer, 0, count); break;
    case 256: stored = new Int8Array(buffer, 0, count); break;
    case 4: stored = new Int16Array(buffer, 0, count); break;
    case 512: stored = new Uint16Array(buffer, 0, count); break;
    case 8: stored = new Int32Array(buffer, 0, count); break;
    case 768: stored = new Uint32Array(buffer, 0, count); break;
    case 16: stored = new Float32Array(buffer, 0, count); break;
    default: stored = new Float64Array(buffer, 0, count); break;
  }
  const scaled = header.slope !== 1 || header.intercept !== 0;
  if (asLabels) {
    let max = 0;
    for (let i = 0; i < count; i++) {
      const v = Math.round(stored[i] * header.slope + header.intercept);
      if (v < 0 || v > 65535 || Number.isNaN(v)) {
        throw new NiftiFormatError(source, `label value ${stored[i]} at voxel ${i} is not 0 to 65535`);
      }
      if (v > max) max = v;
    }
    if (!scaled && (stored instanceof Uint8Array || (stored instanceof Uint16Array && max > 255))) {
      return stored;
    }
    const out = max > 255 ? new Uint16Array(count) : new Uint8Array(count);
    for (let i = 0; i < count; i++) out[i] = Math.round(stored[i] * header.slope + header.intercept);
    return out;
  }
  if (!scaled && (stored instanceof Uint8Array || stored instanceof Int8Array || stored instanceof Int16Array || stored instanceof Uint16Array || stored instanceof Float32Array)) {
    return stored;
  }
  const out = new Float32Array(count);
  const { slope, intercept } = header;
  for (let i = 0; i < count; i++) out[i] = stored[i] * slope + intercept;
  return out;
}

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/** Label names from NIfTI extensions: the CIFTI-style XML TotalSegmentator writes (`<Label Key="5">liver</Label>`). */
export function parseLabelTable(extension: Uint8Array, le: boolean): Map<number, string> {
  const labels = new Map<number, string>();
  if (extension.length < 4 || extension[0] === 0) {
    return labels;
  }
  const view = new DataView(extension.buffer, extension.byteOffset, extension.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let at = 4;
  while (at + 8 <= extension.length) {
    const size = view.getInt32(at, le);
    if (size < 8 || at + size > extension.length) break;
    const text = decoder.decode(extension.subarray(at + 8, at + size));
    // TotalSegmentator writes the name as CDATA (<![CDATA[liver]]>); other writers as escaped text.
    for (const m of text.matchAll(/<Label\b[^>]*\bKey="(\d+)"[^>]*>\s*(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))\s*<\/Label>/g)) {
      labels.set(Number(m[1]), m[2] !== undefined ? m[2].trim() : unescapeXml((m[3] ?? '').trim()));
    }
    at += size;
  }
  return labels;
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
