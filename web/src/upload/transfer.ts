// One file through tus (tus-js-client against /api/v1/uploads), resumable: the upload URL is kept in localStorage
// under a fingerprint, so after a page reload the same file (dropped again) continues from the server's offset, and
// after a network drop the client retries and continues via HEAD.
import { Upload, type HttpRequest, type HttpResponse } from 'tus-js-client';
import { inputIdFromHeader } from './api';

export interface FileTransfer {
  /** Resolves with the input the file became (or joined). */
  done: Promise<string>;
  /** Stops the upload and deletes the partial upload on the server (tus termination). */
  abort(): Promise<void>;
}

/** Waits between retries after a failed request: long enough to ride out a dropped network for about a minute. */
const retryDelays = [0, 1000, 3000, 5000, 10000, 20000, 30000];

/**
 * Starts uploading one file. `joinInput` makes it join an open input (a DICOM folder); `onBytes` gets the bytes
 * the server holds for this file.
 */
export function transferFile(file: File, path: string, joinInput: string | null, onBytes: (sent: number) => void): FileTransfer {
  let inputId: string | null = null;
  const metadata: Record<string, string> = { filename: file.name };
  if (joinInput) metadata.input = joinInput;
  let upload!: Upload;
  const done = new Promise<string>((resolve, reject) => {
    upload = new Upload(file, {
      endpoint: '/api/v1/uploads',
      metadata,
      chunkSize: 32 * 1024 * 1024,
      retryDelays,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      // The input id is part of the fingerprint: the same file in another folder upload must not resume into the
      // old (other) input.
      fingerprint: async () => ['segweb', joinInput ?? '-', path, file.size, file.lastModified].join('|'),
      onProgress: (sent) => onBytes(sent),
      onAfterResponse: (_req: HttpRequest, res: HttpResponse) => {
        // The last PATCH (and HEAD on a finished upload) names the input the file became.
        inputId = inputIdFromHeader(res.getHeader('SegWeb-Input')) ?? inputId;
      },
      onSuccess: () => {
        if (inputId) resolve(inputId);
        else if (joinInput) resolve(joinInput);
        else reject(new Error(`${file.name}: the server did not say which input the file became`));
      },
      onError: (err) => reject(new Error(tusMessage(err, file.name))),
      // A 4xx other than 409/423 is final (422: not an image, 413: too big): retrying cannot help.
      onShouldRetry: (err) => {
        const status = (err as { originalResponse?: HttpResponse | null }).originalResponse?.getStatus() ?? 0;
        return status === 0 || status === 409 || status === 423 || status >= 500;
      },
    });
  });
  void (async () => {
    const previous = await upload.findPreviousUploads();
    if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
    upload.start();
  })();
  return { done, abort: () => upload.abort(true) };
}

/** The server's problem detail when there is one, else tus-js-client's message. */
function tusMessage(err: Error, name: string): string {
  const res = (err as { originalResponse?: HttpResponse | null }).originalResponse;
  const body = res?.getBody();
  if (body) {
    try {
      const problem = JSON.parse(body);
      if (problem.detail || problem.title) return String(problem.detail ?? problem.title);
    } catch {
      // Not JSON.
    }
  }
  return `${name}: ${err.message}`;
}
