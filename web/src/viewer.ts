// Entry point bundled to wwwroot/dist/viewer.js: the functions Blazor's JobViewerPanel calls through JS interop
// (IJSRuntime "import", then IJSObjectReference calls on the returned viewer). See docs/viewer.md.
import { SegWebViewer, type ViewerOptions } from './viewer/SegWebViewer';

export { SegWebViewer } from './viewer/SegWebViewer';
export type { ViewerOptions, ViewerLabel, LoadTimings, ViewName } from './viewer/SegWebViewer';
export { windowPresets } from './viewer/windowPresets';
export { toLpsGrid, indexToWorld, worldToIndex } from './viewer/geometry';
export { readNifti, fetchNifti, NiftiFormatError } from './viewer/nifti';

/** Creates a viewer in `container` and loads the scan and label map (see ViewerOptions). */
export function createViewer(container: HTMLElement, options: ViewerOptions): Promise<SegWebViewer> {
  return SegWebViewer.create(container, options);
}
