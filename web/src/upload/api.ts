// The few JSON calls the upload module makes besides tus (same origin; the Identity cookie authenticates them).

/** The message of an application/problem+json answer, or the status line. */
export async function problemMessage(res: Response): Promise<string> {
  try {
    const body = await res.json();
    if (body && typeof body === 'object') return String(body.detail ?? body.title ?? `${res.status} ${res.statusText}`);
  } catch {
    // Not JSON: fall through to the status line.
  }
  return `${res.status} ${res.statusText}`;
}

async function call(method: string, url: string, body?: unknown): Promise<Response> {
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(await problemMessage(res));
  return res;
}

/** POST /api/v1/inputs {name}: an open input that many files join. */
export async function openInput(name: string): Promise<string> {
  const res = await call('POST', '/api/v1/inputs', { name });
  return (await res.json()).id as string;
}

/** GET /api/v1/inputs/{id}: its state ("open" or "ready"), or null when it is gone. */
export async function inputState(id: string): Promise<string | null> {
  const res = await fetch(`/api/v1/inputs/${id}`, { credentials: 'same-origin' });
  if (!res.ok) return null;
  return (await res.json()).state as string;
}

/** POST /api/v1/inputs/{id}/complete: the server validates the files together (422 with the reason otherwise). */
export async function completeInput(id: string): Promise<void> {
  await call('POST', `/api/v1/inputs/${id}/complete`);
}

/** DELETE /api/v1/inputs/{id} (a canceled folder upload); errors are ignored: the retention sweep is the backstop. */
export async function deleteInput(id: string): Promise<void> {
  try {
    await fetch(`/api/v1/inputs/${id}`, { method: 'DELETE', credentials: 'same-origin' });
  } catch {
    // Best effort.
  }
}

/** The input id from a SegWeb-Input header value ("/api/v1/inputs/{id}"). */
export function inputIdFromHeader(value: string | null | undefined): string | null {
  const m = /\/api\/v1\/inputs\/([0-9a-f-]{36})/i.exec(value ?? '');
  return m ? m[1] : null;
}
