// Turns what the user dropped or picked into studies: one upload each. A dropped folder is one study (a DICOM
// series or study: its files become one server input); NIfTI files and zips are one study each; several other loose
// files are taken as one DICOM study. The server validates by content, so names only group, never decide.

/** One study: a single file (NIfTI, zip, one DICOM file) or many files joined into one input. */
export interface Study {
  name: string;
  files: File[];
  /** Paths inside the dropped folder, parallel to files (for display and the resume fingerprint). */
  paths: string[];
  /** True when the files must be joined into one open input (POST /inputs, tus metadata `input`, /complete). */
  multiFile: boolean;
}

const singleStudyName = /\.(nii|nii\.gz|zip)$/i;

/** Hidden files (".DS_Store", "._x") are never part of a study. */
const isHidden = (name: string): boolean => name.startsWith('.');

/** Groups loose files: NIfTI/zip each alone, the rest together as one DICOM study. */
export function groupLooseFiles(files: File[]): Study[] {
  const studies: Study[] = [];
  const rest: File[] = [];
  for (const f of files) {
    if (isHidden(f.name)) continue;
    if (singleStudyName.test(f.name)) studies.push({ name: f.name, files: [f], paths: [f.name], multiFile: false });
    else rest.push(f);
  }
  if (rest.length === 1) studies.push({ name: rest[0].name, files: rest, paths: [rest[0].name], multiFile: false });
  else if (rest.length > 1) studies.push({ name: `${rest.length} DICOM files`, files: rest, paths: rest.map((f) => f.name), multiFile: true });
  return studies;
}

/** Files picked with a webkitdirectory input: grouped by their top folder. */
export function groupPickedFolder(files: File[]): Study[] {
  const byFolder = new Map<string, { files: File[]; paths: string[] }>();
  for (const f of files) {
    const path = f.webkitRelativePath || f.name;
    const parts = path.split('/');
    if (parts.some(isHidden)) continue;
    const top = parts.length > 1 ? parts[0] : '(files)';
    const group = byFolder.get(top) ?? { files: [], paths: [] };
    group.files.push(f);
    group.paths.push(path);
    byFolder.set(top, group);
  }
  return [...byFolder].map(([name, g]) => ({ name, files: g.files, paths: g.paths, multiFile: g.files.length > 1 }));
}

/**
 * A drop: entries must be taken from the DataTransfer synchronously (the browser empties it after the event), then
 * folders are walked with webkitGetAsEntry's FileSystem API.
 */
export async function collectDrop(data: DataTransfer): Promise<Study[]> {
  const entries: FileSystemEntry[] = [];
  const plainFiles: File[] = [];
  for (const item of Array.from(data.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) plainFiles.push(f);
    }
  }
  const studies: Study[] = [];
  const loose: File[] = [...plainFiles];
  for (const entry of entries) {
    if (entry.isDirectory) {
      const found: { file: File; path: string }[] = [];
      await walk(entry as FileSystemDirectoryEntry, entry.name, found);
      if (found.length > 0) {
        studies.push({
          name: entry.name,
          files: found.map((x) => x.file),
          paths: found.map((x) => x.path),
          multiFile: found.length > 1,
        });
      }
    } else {
      loose.push(await fileOf(entry as FileSystemFileEntry));
    }
  }
  return [...studies, ...groupLooseFiles(loose)];
}

async function walk(dir: FileSystemDirectoryEntry, path: string, into: { file: File; path: string }[]): Promise<void> {
  const reader = dir.createReader();
  // readEntries returns the directory in batches (100 in Chromium) until an empty batch.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const e of batch) {
      if (isHidden(e.name)) continue;
      const p = `${path}/${e.name}`;
      if (e.isDirectory) await walk(e as FileSystemDirectoryEntry, p, into);
      else into.push({ file: await fileOf(e as FileSystemFileEntry), path: p });
    }
  }
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}
