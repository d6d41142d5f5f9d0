// The upload module the Blazor upload panel loads through JS interop. It owns the drop zone and the file pickers,
// turns what was dropped into studies, uploads each study with tus (a DICOM folder as one multi-file input) and
// tells the panel what happens through a DotNetObjectReference; the panel keeps the state and creates the job.
import { collectDrop, groupLooseFiles, groupPickedFolder, type Study } from './upload/collect';
import { completeInput, deleteInput, inputState, openInput } from './upload/api';
import { transferFile, type FileTransfer } from './upload/transfer';

/** The .NET side (UploadPanel's [JSInvokable] methods). */
interface DotNetRef {
  invokeMethodAsync(method: string, ...args: unknown[]): Promise<unknown>;
}

interface Running {
  key: string;
  canceled: boolean;
  transfers: Set<FileTransfer>;
  inputId: string | null;
  folderKey: string | null;
}

const running = new Map<string, Running>();
let panel: DotNetRef | null = null;
let fileInput: HTMLInputElement | null = null;
let folderInput: HTMLInputElement | null = null;

/**
 * Files of one folder upload in flight at once. One: the server adds a file to an open input with a
 * read-modify-write of the input's file count and byte total (InputService.AddFileAsync), so concurrent joins lose
 * updates (seen: 13 of 20 counted with 4 in flight). Raise this once the server updates the counters atomically.
 */
const folderParallelism = 1;

/** Wires the drop zone and the two hidden file inputs to the panel. */
export function attach(dropZone: HTMLElement, files: HTMLInputElement, folder: HTMLInputElement, dotnet: DotNetRef): void {
  panel = dotnet;
  fileInput = files;
  folderInput = folder;
  dropZone.addEventListener('dragover', (e) => {
    e.preventDefault();
    dropZone.classList.add('dragover');
  });
  dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragover'));
  dropZone.addEventListener('drop', (e) => {
    e.preventDefault();
    dropZone.classList.remove('dragover');
    if (e.dataTransfer) void collectDrop(e.dataTransfer).then(startAll, reportCollectError);
  });
  dropZone.addEventListener('click', () => files.click());
  dropZone.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      files.click();
    }
  });
  files.addEventListener('change', () => {
    startAll(groupLooseFiles(Array.from(files.files ?? [])));
    files.value = '';
  });
  folder.addEventListener('change', () => {
    startAll(groupPickedFolder(Array.from(folder.files ?? [])));
    folder.value = '';
  });
  // Tells tests (and styles) that drops and picks are handled from now on.
  dropZone.dataset.uploadReady = 'true';
}

/** Opens the file picker (the panel's "Choose files" button). */
export function pickFiles(): void {
  fileInput?.click();
}

/** Opens the folder picker (the panel's "Choose a folder" button). */
export function pickFolder(): void {
  folderInput?.click();
}

/** Cancels one upload: aborts and terminates its transfers, deletes a folder's open input. */
export async function cancel(key: string): Promise<void> {
  const r = running.get(key);
  if (!r) return;
  r.canceled = true;
  await Promise.allSettled([...r.transfers].map((t) => t.abort()));
  if (r.inputId && r.folderKey) {
    localStorage.removeItem(r.folderKey);
    await deleteInput(r.inputId);
  }
  running.delete(key);
}

function reportCollectError(err: unknown): void {
  void panel?.invokeMethodAsync('UploadFailed', crypto.randomUUID(), 'drop', `could not read the dropped items: ${String(err)}`);
}

function startAll(studies: Study[]): void {
  for (const s of studies) void startStudy(s);
}

async function startStudy(study: Study): Promise<void> {
  if (!panel) return;
  const key = crypto.randomUUID();
  const total = study.files.reduce((n, f) => n + f.size, 0);
  const r: Running = { key, canceled: false, transfers: new Set(), inputId: null, folderKey: null };
  running.set(key, r);
  await panel.invokeMethodAsync('UploadStarted', key, study.name, total, study.files.length);
  const progress = throttledProgress(key);
  try {
    const inputId = study.multiFile ? await uploadFolder(study, r, progress) : await uploadSingle(study.files[0], study.paths[0], r, progress);
    if (r.canceled) return;
    await panel.invokeMethodAsync('UploadInputReady', key, inputId);
  } catch (err) {
    if (!r.canceled) await panel.invokeMethodAsync('UploadFailed', key, study.name, err instanceof Error ? err.message : String(err));
  } finally {
    running.delete(key);
  }
}

async function uploadSingle(file: File, path: string, r: Running, progress: (sent: number, final?: boolean) => void): Promise<string> {
  const t = transferFile(file, path, null, (sent) => progress(sent));
  r.transfers.add(t);
  const id = await t.done;
  progress(file.size, true);
  await panel?.invokeMethodAsync('UploadUploaded', r.key);
  return id;
}

async function uploadFolder(study: Study, r: Running, progress: (sent: number, final?: boolean) => void): Promise<string> {
  // After a page reload the same folder (same names and sizes) reuses its still-open input, and every file resumes.
  r.folderKey = `segweb-folder|${study.name}|${study.files.length}|${study.files.reduce((n, f) => n + f.size, 0)}`;
  const remembered = localStorage.getItem(r.folderKey);
  r.inputId = remembered && (await inputState(remembered)) === 'open' ? remembered : await openInput(study.name);
  localStorage.setItem(r.folderKey, r.inputId);

  const sentPerFile = new Array<number>(study.files.length).fill(0);
  const report = () => progress(sentPerFile.reduce((a, b) => a + b, 0));
  let next = 0;
  const worker = async () => {
    while (!r.canceled && next < study.files.length) {
      const i = next++;
      const t = transferFile(study.files[i], study.paths[i], r.inputId, (sent) => {
        sentPerFile[i] = sent;
        report();
      });
      r.transfers.add(t);
      await t.done;
      r.transfers.delete(t);
      sentPerFile[i] = study.files[i].size;
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(folderParallelism, study.files.length) }, worker));
  if (r.canceled) return r.inputId;
  progress(sentPerFile.reduce((a, b) => a + b, 0), true);
  await panel?.invokeMethodAsync('UploadUploaded', r.key);
  await completeInput(r.inputId);
  localStorage.removeItem(r.folderKey);
  return r.inputId;
}

/** Progress to .NET at most five times a second (each call is a circuit message), plus the final figure. */
function throttledProgress(key: string): (sent: number, final?: boolean) => void {
  let last = 0;
  return (sent, final = false) => {
    const now = performance.now();
    if (!final && now - last < 200) return;
    last = now;
    void panel?.invokeMethodAsync('UploadProgress', key, sent);
  };
}
