// Interop check against the real npm tus client: upload a file, abort after ~40 %, resume with the same upload URL
// (tus-js-client asks HEAD for the offset), and print the input the server made of it.
// Usage: node upload-and-resume.js http://127.0.0.1:5080/api/v1/uploads API_KEY FILE
const tus = require('tus-js-client');
const fs = require('fs');

const [, , endpoint, key, file] = process.argv;
const data = fs.readFileSync(file);
const common = {
  endpoint,
  chunkSize: 50000,
  retryDelays: [],
  headers: { Authorization: 'Bearer ' + key },
  metadata: { filename: require('path').basename(file) },
};

function firstAttempt() {
  return new Promise((resolve, reject) => {
    let aborted = false;
    const upload = new tus.Upload(data, {
      ...common,
      onError: reject,
      onProgress: (sent, total) => {
        if (!aborted && sent > total * 0.4) {
          aborted = true;
          upload.abort().then(() => resolve(upload.url));
        }
      },
      onSuccess: () => reject(new Error('the upload finished before it could be aborted')),
    });
    upload.start();
  });
}

function resume(uploadUrl) {
  return new Promise((resolve, reject) => {
    let input = null;
    const upload = new tus.Upload(data, {
      ...common,
      uploadUrl,
      onError: reject,
      onAfterResponse: (req, res) => {
        if (req.getMethod() === 'HEAD') console.log('resuming from offset', res.getHeader('Upload-Offset'), 'of', data.length);
        input = res.getHeader('SegWeb-Input') || input;
      },
      onSuccess: () => resolve(input),
    });
    upload.start();
  });
}

(async () => {
  const url = await firstAttempt();
  console.log('aborted', url);
  const input = await resume(url);
  if (!input) throw new Error('the last PATCH named no input');
  console.log('input', input);
})().catch((e) => {
  console.error('FAILED', e.message);
  process.exit(1);
});
