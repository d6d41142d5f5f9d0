// The MPR viewer: a CT/MR volume in axial, sagittal and coronal Cornerstone3D views with the label map as a
// coloured labelmap segmentation over it. Cornerstone3D does the rendering and the mouse tools; reading, geometry and
// the hover readout are ours (nifti.ts, geometry.ts) so the numbers the user sees come from the file itself.
import {
  RenderingEngine,
  Enums as csEnums,
  init as csInit,
  isCornerstoneInitialized,
  setVolumesForViewports,
  volumeLoader,
  cache,
  eventTarget,
  type Types,
} from '@cornerstonejs/core';
import {
  init as toolsInit,
  addTool,
  ToolGroupManager,
  WindowLevelTool,
  PanTool,
  ZoomTool,
  StackScrollTool,
  CrosshairsTool,
  segmentation,
  Enums as toolsEnums,
} from '@cornerstonejs/tools';
import { fetchNifti, type NiftiImage, type VoxelArray } from './nifti';
import { toLpsGrid, flipSlices, indexToWorld, worldToIndex, fileIndex, type LpsGrid } from './geometry';
import { StructureCentres } from './structureCentres';
import { windowPresets, defaultWindowPreset } from './windowPresets';

/** One structure of the label map: its value, name and colour (0–255 RGB). */
export interface ViewerLabel {
  value: number;
  name: string;
  color: [number, number, number];
}

/** What the viewer loads. */
export interface ViewerOptions {
  /** The scan (NIfTI-1, .nii or .nii.gz), e.g. /api/v1/jobs/{id}/results/volume.nii.gz. */
  volumeUrl: string;
  /** The label map on the scan's grid, e.g. /api/v1/jobs/{id}/results/multilabel.nii.gz. */
  labelMapUrl: string;
  /** Names and colours; labels the map holds but this list lacks are drawn grey and named by the file's table. */
  labels?: ViewerLabel[];
  /** Overlay opacity 0–1 (default 0.5). */
  overlayOpacity?: number;
  /** Window preset name (see windowPresets; default soft-tissue). */
  windowPreset?: string;
}

/** How long loading took (ms from createViewer's start). */
export interface LoadTimings {
  /** Both files fetched and inflated into voxel arrays. */
  downloadedMs: number;
  /** The scan is in the three views (Cornerstone volumes created, textures set up). */
  scanInViewsMs: number;
  /** The three views drawn with the segmentation over the scan: the viewer is usable. */
  firstRenderMs: number;
  shape: [number, number, number];
}

/** The three view names; also the viewport ids' suffixes. */
export type ViewName = 'axial' | 'sagittal' | 'coronal';
const views: ViewName[] = ['axial', 'sagittal', 'coronal'];
const orientations: Record<ViewName, csEnums.OrientationAxis> = {
  axial: csEnums.OrientationAxis.AXIAL,
  sagittal: csEnums.OrientationAxis.SAGITTAL,
  coronal: csEnums.OrientationAxis.CORONAL,
};

// The module lays out the cells it creates itself: a host page's (or Blazor's scoped) CSS cannot reach them.
const styleText = `
.segweb-viewer { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 2px; position: relative; background: #000; }
.segweb-viewer-cell { position: relative; min-height: 0; }
.segweb-viewport { position: absolute; inset: 0; outline: none; }
.segweb-viewport-caption { position: absolute; left: 4px; top: 2px; color: #ddd; background: #000; padding: 0 4px; font: 12px sans-serif; pointer-events: none; }
.segweb-viewer-readout { position: absolute; left: 4px; bottom: 4px; color: #fff; background: #000a; font: 12px monospace; padding: 1px 4px; pointer-events: none; }
.segweb-viewer-readout:empty { display: none; }
`;

function ensureStyle(): void {
  if (document.getElementById('segweb-viewer-style')) return;
  const style = document.createElement('style');
  style.id = 'segweb-viewer-style';
  style.textContent = styleText;
  document.head.append(style);
}

let toolsRegistered = false;
let instances = 0;

function ensureCornerstone(): void {
  if (!isCornerstoneInitialized()) {
    csInit();
  }
  if (!toolsRegistered) {
    toolsInit();
    for (const tool of [WindowLevelTool, PanTool, ZoomTool, StackScrollTool, CrosshairsTool]) addTool(tool);
    toolsRegistered = true;
  }
}

/** A running viewer inside one container element. Create with {@link SegWebViewer.create}. */
export class SegWebViewer {
  private readonly id: string;
  private readonly engine: RenderingEngine;
  private readonly viewportIds: Record<ViewName, string>;
  private readonly readout: HTMLElement;
  private readonly labelNames = new Map<number, string>();
  private readonly hidden = new Set<number>();
  private centres: StructureCentres | null = null;
  private present: number[] | null = null;
  private scanInViewsAt = 0;
  private opacity: number;
  private disposed = false;
  private resizeObserver: ResizeObserver | null = null;

  private constructor(
    private readonly container: HTMLElement,
    private readonly scan: NiftiImage,
    private readonly grid: LpsGrid,
    private readonly labelMap: NiftiImage,
    private readonly labelGrid: LpsGrid,
    private readonly labels: ViewerLabel[],
    opacity: number,
  ) {
    this.id = `segweb-viewer-${++instances}`;
    this.opacity = opacity;
    this.viewportIds = { axial: `${this.id}-axial`, sagittal: `${this.id}-sagittal`, coronal: `${this.id}-coronal` };
    this.engine = new RenderingEngine(`${this.id}-engine`);
    this.readout = document.createElement('div');
    for (const l of labels) this.labelNames.set(l.value, l.name);
    for (const [v, n] of labelMap.labelTable) if (!this.labelNames.has(v)) this.labelNames.set(v, n);
  }

  /** Loads both files, builds the three views and renders them. Rejects with "url: problem" on a bad file. */
  static async create(container: HTMLElement, options: ViewerOptions): Promise<SegWebViewer> {
    const started = performance.now();
    ensureCornerstone();
    const [scan, labelMap] = await Promise.all([fetchNifti(options.volumeUrl), fetchNifti(options.labelMapUrl, undefined, true)]);
    const downloaded = performance.now();
    if (scan.shape.some((n, a) => n !== labelMap.shape[a])) {
      throw new Error(`${options.labelMapUrl}: the label map is ${labelMap.shape.join('×')} voxels, the scan ${scan.shape.join('×')}; it must be on the scan's grid`);
    }
    const grid = toLpsGrid(scan.affine, scan.shape);
    const labelGrid = toLpsGrid(labelMap.affine, labelMap.shape);
    if (grid.flippedK) flipSlices(scan.voxels, scan.shape);
    if (labelGrid.flippedK) flipSlices(labelMap.voxels, labelMap.shape);
    const viewer = new SegWebViewer(container, scan, grid, labelMap, labelGrid, options.labels ?? [], options.overlayOpacity ?? 0.5);
    try {
      await viewer.build(options.windowPreset ?? defaultWindowPreset);
    } catch (e) {
      // Leave nothing half-built behind (volumes in Cornerstone's cache, a tool group, WebGL contexts).
      viewer.dispose();
      throw e;
    }
    viewer.timings = {
      downloadedMs: downloaded - started,
      scanInViewsMs: viewer.scanInViewsAt - started,
      firstRenderMs: performance.now() - started,
      shape: scan.shape,
    };
    return viewer;
  }

  /** Load figures of this viewer. */
  timings: LoadTimings | null = null;

  private get scanVolumeId(): string {
    return `${this.id}-scan`;
  }

  private get segmentationId(): string {
    return `${this.id}-labels`;
  }

  private async build(preset: string): Promise<void> {
    const frameOfReference = `${this.id}-frame`;
    ensureStyle();
    this.container.classList.add('segweb-viewer');
    this.container.replaceChildren();
    const elements = {} as Record<ViewName, HTMLDivElement>;
    for (const view of views) {
      const cell = document.createElement('div');
      cell.className = 'segweb-viewer-cell';
      const element = document.createElement('div');
      element.className = `segweb-viewport segweb-viewport-${view}`;
      element.dataset.view = view;
      element.oncontextmenu = (e) => e.preventDefault();
      // Cornerstone reads modifier keys (Shift/Ctrl bindings) from keydown on the view itself, so the view under the
      // mouse takes the focus - unless the user is typing somewhere else on the page.
      element.tabIndex = 0;
      element.addEventListener('mouseenter', () => {
        const active = document.activeElement;
        if (!active || active === document.body || active.classList.contains('segweb-viewport')) element.focus({ preventScroll: true });
      });
      const caption = document.createElement('span');
      caption.className = 'segweb-viewport-caption';
      caption.textContent = view;
      cell.append(element, caption);
      this.container.append(cell);
      elements[view] = element;
    }
    this.readout.className = 'segweb-viewer-readout';
    this.readout.setAttribute('aria-live', 'off');
    this.container.append(this.readout);

    createVolume(this.scanVolumeId, this.scan.voxels, this.grid, frameOfReference, 'CT');
    const labelVolumeId = `${this.segmentationId}-volume`;
    createVolume(labelVolumeId, this.labelMap.voxels, this.labelGrid, frameOfReference, 'SEG');

    this.engine.setViewports(
      views.map((view) => ({
        viewportId: this.viewportIds[view],
        type: csEnums.ViewportType.ORTHOGRAPHIC,
        element: elements[view],
        defaultOptions: { orientation: orientations[view], background: [0, 0, 0] as Types.RGB },
      })),
    );
    const ids = views.map((v) => this.viewportIds[v]);
    await setVolumesForViewports(this.engine, [{ volumeId: this.scanVolumeId }], ids);
    this.scanInViewsAt = performance.now();

    // Cornerstone keeps per-segment visibility only for segments it was told about: declare every value present.
    const segments: Record<number, { segmentIndex: number; label: string; locked: boolean; active: boolean; cachedStats: Record<string, unknown> }> = {};
    for (const v of this.presentValues()) {
      segments[v] = { segmentIndex: v, label: this.labelNames.get(v) ?? `label ${v}`, locked: true, active: false, cachedStats: {} };
    }
    segmentation.addSegmentations([
      {
        segmentationId: this.segmentationId,
        representation: { type: toolsEnums.SegmentationRepresentations.Labelmap, data: { volumeId: labelVolumeId } },
        config: { segments },
      },
    ]);
    const colorLUT = this.colorLut();
    const map: Record<string, { segmentationId: string; config: { colorLUTOrIndex: Types.ColorLUT } }[]> = {};
    for (const id of ids) map[id] = [{ segmentationId: this.segmentationId, config: { colorLUTOrIndex: colorLUT } }];
    // Cornerstone adds the labelmap actors on a later frame and resets the cameras when it does; a jump made before
    // that would be undone. So the viewer is ready only once every view has rendered its segmentation.
    const segmentationRendered = this.segmentationRendered(ids);
    await segmentation.addLabelmapRepresentationToViewportMap(map);
    this.applyOpacity();

    this.setupTools(ids);
    for (const view of views) {
      elements[view].addEventListener('mousemove', (e) => this.showReadout(view, e));
      elements[view].addEventListener('mouseleave', () => (this.readout.textContent = ''));
    }
    this.setWindowPreset(preset);
    // A ResizeObserver reports once at once; that first report is the size the views were built at, and resizing
    // then would land after the caller's first jump. Wait for it here, and resize only on later reports.
    await new Promise<void>((resolve) => {
      let first = true;
      this.resizeObserver = new ResizeObserver(() => {
        if (first) {
          first = false;
          resolve();
        } else {
          this.resize();
        }
      });
      this.resizeObserver.observe(this.container);
    });
    this.engine.render();
    await segmentationRendered;
    await this.rendered();
  }

  private segmentationRendered(viewportIds: string[], timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve) => {
      const waiting = new Set(viewportIds);
      const done = () => {
        eventTarget.removeEventListener(toolsEnums.Events.SEGMENTATION_RENDERED, listener);
        clearTimeout(timer);
        resolve();
      };
      const listener = (evt: Event) => {
        const detail = (evt as CustomEvent<{ viewportId: string; segmentationId: string }>).detail;
        if (detail.segmentationId === this.segmentationId) waiting.delete(detail.viewportId);
        if (waiting.size === 0) done();
      };
      // Never hang on a missed event (a change that needed no redraw): the timeout is far beyond any real render.
      const timer = setTimeout(done, timeoutMs);
      eventTarget.addEventListener(toolsEnums.Events.SEGMENTATION_RENDERED, listener);
    });
  }

  private colorLut(): Types.ColorLUT {
    let max = 0;
    for (const l of this.labels) max = Math.max(max, l.value);
    for (const v of this.labelMap.labelTable.keys()) max = Math.max(max, v);
    const lut: Types.ColorLUT = [[0, 0, 0, 0]];
    for (let v = 1; v <= Math.max(max, 255); v++) lut.push([128, 128, 128, 255]);
    for (const l of this.labels) lut[l.value] = [l.color[0], l.color[1], l.color[2], 255];
    return lut;
  }

  private setupTools(ids: string[]): void {
    const groupId = `${this.id}-tools`;
    const group = ToolGroupManager.createToolGroup(groupId)!;
    for (const id of ids) group.addViewport(id, this.engine.id);
    for (const tool of [WindowLevelTool, PanTool, ZoomTool, StackScrollTool]) group.addTool(tool.toolName);
    group.addTool(CrosshairsTool.toolName, {
      // Only the three lines and the centre: the rotation/slab handles are not part of this viewer.
      viewportIndicators: false,
    });
    const { MouseBindings, KeyboardBindings } = toolsEnums;
    group.setToolActive(CrosshairsTool.toolName, { bindings: [{ mouseButton: MouseBindings.Primary }] });
    group.setToolActive(WindowLevelTool.toolName, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
    group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: MouseBindings.Auxiliary }, { mouseButton: MouseBindings.Primary, modifierKey: KeyboardBindings.Shift }] });
    group.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: MouseBindings.Primary, modifierKey: KeyboardBindings.Ctrl }, { mouseButton: MouseBindings.Secondary, modifierKey: KeyboardBindings.Shift }] });
    group.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: MouseBindings.Wheel }] });
  }

  private rendered(): Promise<void> {
    // Two animation frames: Cornerstone renders on the next frame, the copy to each view's canvas follows it.
    return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
  }

  /** Sets a window/level preset by name: soft-tissue, lung, bone, brain. */
  setWindowPreset(name: string): void {
    const preset = windowPresets[name];
    if (!preset) throw new Error(`unknown window preset "${name}" (known: ${Object.keys(windowPresets).join(', ')})`);
    this.setWindow(preset.width, preset.center);
  }

  /** Sets the window (width and centre in the scan's units, HU for CT). */
  setWindow(width: number, center: number): void {
    for (const view of views) {
      const vp = this.viewport(view);
      vp.setProperties({ voiRange: { lower: center - width / 2, upper: center + width / 2 } }, this.scanVolumeId);
    }
    this.engine.render();
  }

  /** The current window of the axial view (width, centre). */
  getWindow(): { width: number; center: number } {
    const voi = this.viewport('axial').getProperties(this.scanVolumeId)?.voiRange;
    if (!voi) throw new Error('the scan is not in the axial view yet');
    return { width: voi.upper - voi.lower, center: (voi.upper + voi.lower) / 2 };
  }

  /** Overlay opacity, 0 (off) to 1 (opaque); resolves once the views show it. */
  setOverlayOpacity(opacity: number): Promise<void> {
    this.opacity = Math.min(1, Math.max(0, opacity));
    const rendered = this.segmentationRendered(this.allViewportIds(), 2000);
    this.applyOpacity();
    this.engine.render();
    return rendered;
  }

  private applyOpacity(): void {
    for (const view of views) {
      segmentation.config.style.setStyle(
        { viewportId: this.viewportIds[view], segmentationId: this.segmentationId, type: toolsEnums.SegmentationRepresentations.Labelmap },
        { fillAlpha: this.opacity, fillAlphaInactive: this.opacity, outlineOpacity: Math.min(1, this.opacity * 1.5), outlineOpacityInactive: Math.min(1, this.opacity * 1.5) },
      );
    }
  }

  /** Shows or hides one structure in every view; resolves once the views show it. */
  setStructureVisible(value: number, visible: boolean): Promise<void> {
    if (visible) this.hidden.delete(value);
    else this.hidden.add(value);
    return this.applyVisibility([value]);
  }

  /** Shows only this structure (value) and hides every other; null shows all again. Resolves once drawn. */
  showOnly(value: number | null): Promise<void> {
    const all = this.presentValues();
    const changed = [...new Set([...all, ...this.hidden])];
    this.hidden.clear();
    if (value !== null) for (const v of all) if (v !== value) this.hidden.add(v);
    return this.applyVisibility(changed);
  }

  /** The structures currently hidden. */
  hiddenStructures(): number[] {
    return [...this.hidden].sort((a, b) => a - b);
  }

  /** Label values that occur in the map (one pass, cached). */
  private presentValues(): number[] {
    if (this.present) return this.present;
    const voxels = this.labelMap.voxels;
    const seen = new Uint8Array(65536);
    for (let i = 0; i < voxels.length; i++) seen[voxels[i]] = 1;
    this.present = [];
    for (let v = 1; v < seen.length; v++) if (seen[v]) this.present.push(v);
    return this.present;
  }

  private allViewportIds(): string[] {
    return views.map((v) => this.viewportIds[v]);
  }

  private applyVisibility(values: number[]): Promise<void> {
    // Cornerstone redraws segmentations a few frames later, asynchronously: callers (and tests) wait for it.
    const rendered = this.segmentationRendered(this.allViewportIds(), 2000);
    const specifier = { segmentationId: this.segmentationId, type: toolsEnums.SegmentationRepresentations.Labelmap };
    for (const view of views) {
      for (const v of values) segmentation.config.visibility.setSegmentIndexVisibility(this.viewportIds[view], specifier, v, !this.hidden.has(v));
    }
    this.engine.render();
    return rendered;
  }

  private structureCentres(): StructureCentres {
    this.centres ??= new StructureCentres(this.labelMap.voxels, this.labelMap.shape);
    return this.centres;
  }

  /** Moves all three views to the structure's centre (its voxel nearest its centroid); false when it is absent. */
  jumpToStructure(value: number): boolean {
    const centre = this.structureCentres().centre(value);
    if (!centre) return false;
    this.jumpToWorld(indexToWorld(this.labelGrid, centre));
    return true;
  }

  /** Moves all three views so they cross at this voxel (i, j, k as stored in the scan's file), centred in each. */
  jumpToVoxel(ijk: [number, number, number]): void {
    this.jumpToWorld(indexToWorld(this.grid, fileIndex(this.grid, ijk)));
  }

  /** Moves all three views so they cross at this LPS point (mm), which is put at the centre of each view. */
  jumpToWorld(world: [number, number, number]): void {
    for (const view of views) {
      const vp = this.viewport(view);
      const camera = vp.getCamera();
      const focal = camera.focalPoint!;
      const position = camera.position!;
      const shift = [world[0] - focal[0], world[1] - focal[1], world[2] - focal[2]];
      vp.setCamera({
        focalPoint: world as Types.Point3,
        position: [position[0] + shift[0], position[1] + shift[1], position[2] + shift[2]] as Types.Point3,
      });
    }
    this.engine.render();
  }

  /** LPS point (mm) under a canvas position (CSS pixels) of one view. */
  canvasToWorld(view: ViewName, x: number, y: number): [number, number, number] {
    return this.viewport(view).canvasToWorld([x, y]) as [number, number, number];
  }

  /** Canvas position (CSS pixels) of a voxel (file indices) in one view. */
  voxelToCanvas(view: ViewName, ijk: [number, number, number]): [number, number] {
    return this.viewport(view).worldToCanvas(indexToWorld(this.grid, fileIndex(this.grid, ijk)) as Types.Point3) as [number, number];
  }

  /** What is under a canvas position of one view: voxel (file indices), scan value, label value and name. */
  probe(view: ViewName, x: number, y: number): { voxel: [number, number, number]; value: number; label: number; name: string } | null {
    const world = this.canvasToWorld(view, x, y);
    const ijk = worldToIndex(this.grid, world).map(Math.round) as [number, number, number];
    const [nx, ny, nz] = this.scan.shape;
    if (ijk[0] < 0 || ijk[1] < 0 || ijk[2] < 0 || ijk[0] >= nx || ijk[1] >= ny || ijk[2] >= nz) return null;
    const value = this.scan.voxels[ijk[0] + nx * (ijk[1] + ny * ijk[2])];
    const lijk = worldToIndex(this.labelGrid, world).map(Math.round);
    const label = this.labelMap.voxels[lijk[0] + nx * (lijk[1] + ny * lijk[2])] ?? 0;
    return { voxel: fileIndex(this.grid, ijk), value, label, name: label === 0 ? '' : (this.labelNames.get(label) ?? `label ${label}`) };
  }

  private showReadout(view: ViewName, e: MouseEvent): void {
    const rect = (e.currentTarget as HTMLElement).getBoundingClientRect();
    const hit = this.probe(view, e.clientX - rect.left, e.clientY - rect.top);
    if (!hit) {
      this.readout.textContent = '';
      return;
    }
    const shown = Number.isInteger(hit.value) ? hit.value.toString() : hit.value.toFixed(1);
    this.readout.textContent = `${hit.name ? hit.name + ' · ' : ''}${shown} HU · voxel ${hit.voxel.join(', ')}`;
    this.readout.dataset.value = String(hit.value);
    this.readout.dataset.label = String(hit.label);
  }

  private viewport(view: ViewName): Types.IVolumeViewport {
    return this.engine.getViewport(this.viewportIds[view]) as Types.IVolumeViewport;
  }

  /** Re-fits the views to the container (call after a layout change; a ResizeObserver also does it). */
  resize(): void {
    // keepCamera: a layout change must not throw away the user's slice, zoom and pan.
    this.engine.resize(true, true);
  }

  /** Releases the views, tools, segmentation and cached volumes. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.resizeObserver?.disconnect();
    // Each step on its own: dispose also cleans up after a build that failed half-way.
    const steps: (() => void)[] = [
      () => ToolGroupManager.destroyToolGroup(`${this.id}-tools`),
      () => segmentation.removeSegmentation(this.segmentationId),
      () => this.engine.destroy(),
      () => cache.removeVolumeLoadObject(this.scanVolumeId),
      () => cache.removeVolumeLoadObject(`${this.segmentationId}-volume`),
    ];
    for (const step of steps) {
      try {
        step();
      } catch {
        // Already gone or never made.
      }
    }
    this.container.replaceChildren();
  }
}

function createVolume(volumeId: string, voxels: VoxelArray, grid: LpsGrid, frameOfReference: string, modality: string): void {
  const bits = voxels.BYTES_PER_ELEMENT * 8;
  const signed = voxels instanceof Int8Array || voxels instanceof Int16Array || voxels instanceof Float32Array;
  volumeLoader.createLocalVolume(volumeId, {
    scalarData: voxels,
    dimensions: grid.dimensions,
    spacing: grid.spacing,
    origin: grid.origin,
    direction: grid.direction as unknown as Types.Mat3,
    metadata: {
      BitsAllocated: bits,
      BitsStored: bits,
      SamplesPerPixel: 1,
      HighBit: bits - 1,
      PhotometricInterpretation: 'MONOCHROME2',
      PixelRepresentation: signed ? 1 : 0,
      Modality: modality,
      ImageOrientationPatient: grid.direction.slice(0, 6),
      PixelSpacing: [grid.spacing[1], grid.spacing[0]],
      FrameOfReferenceUID: frameOfReference,
      Columns: grid.dimensions[0],
      Rows: grid.dimensions[1],
      voiLut: [{ windowWidth: 400, windowCenter: 40 }],
      VOILUTFunction: 'LINEAR',
    },
  });
}
