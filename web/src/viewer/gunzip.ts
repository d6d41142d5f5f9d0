// gzip → bytes with the browser's native inflater (DecompressionStream), member by member. A DecompressionStream
// inflates exactly one gzip member and fails on whatever follows it, but SegWeb's own .nii.gz files (and BGZF ones)
// are many concatenated members. Their headers carry each member's size (a "BC" extra subfield: SegWeb writes a
// 4-byte size, BGZF a 2-byte size - 1), so the stream is cut at member boundaries without inflating and each member
// goes through its own native inflater. A member without a size is taken to be the last (ordinary single-member gzip).

/** Thrown on a malformed gzip stream; the reader turns it into a NiftiFormatError naming the file. */
export class GzipFormatError extends Error {}

/** Inflates a gzip stream (one member, or SegWeb/BGZF sized members). */
export function gunzip(compressed: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const source = new ByteQueue(compressed.getReader());
  const members = inflateMembers(source);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await members.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (e) {
        controller.error(e);
      }
    },
    async cancel(reason) {
      await members.return(undefined);
      await source.cancel(reason);
    },
  });
}

async function* inflateMembers(source: ByteQueue): AsyncGenerator<Uint8Array, void, undefined> {
  let first = true;
  for (;;) {
    const fixed = await source.peek(12);
    if (fixed.length === 0 && !first) return;
    if (fixed.length < 10 || fixed[0] !== 0x1f || fixed[1] !== 0x8b || fixed[2] !== 8) {
      throw new GzipFormatError(first ? 'not a gzip stream' : 'data after the last gzip member is not another gzip member');
    }
    first = false;
    const size = await memberSize(source, fixed);
    yield* inflate(size === null ? source.rest() : source.take(size));
    if (size === null) return;
  }
}

/** The member's total size from its "BC" extra subfield, or null when the header has none. */
async function memberSize(source: ByteQueue, fixed: Uint8Array): Promise<number | null> {
  const flagExtra = 0x04;
  if ((fixed[3] & flagExtra) === 0 || fixed.length < 12) return null;
  const xlen = fixed[10] | (fixed[11] << 8);
  const header = await source.peek(12 + xlen);
  if (header.length < 12 + xlen) throw new GzipFormatError('truncated gzip header');
  for (let at = 12; at + 4 <= 12 + xlen; ) {
    const slen = header[at + 2] | (header[at + 3] << 8);
    if (header[at] === 0x42 && header[at + 1] === 0x43) {
      if (slen === 4) return (header[at + 4] | (header[at + 5] << 8) | (header[at + 6] << 16) | (header[at + 7] << 24)) >>> 0;
      if (slen === 2) return (header[at + 4] | (header[at + 5] << 8)) + 1;
    }
    at += 4 + slen;
  }
  return null;
}

async function* inflate(member: AsyncGenerator<Uint8Array, void, undefined>): AsyncGenerator<Uint8Array, void, undefined> {
  const inflater = new DecompressionStream('gzip');
  const writer = inflater.writable.getWriter();
  // Feed and drain at the same time: awaiting all writes first would stall on the inflater's back-pressure.
  const feeding = (async () => {
    for await (const chunk of member) await writer.write(chunk as Uint8Array<ArrayBuffer>);
    await writer.close();
  })();
  feeding.catch(() => undefined); // surfaced through the reader below (the inflater errors too)
  const reader = inflater.readable.getReader();
  for (;;) {
    const next = await reader.read();
    if (next.done) break;
    yield next.value;
  }
  await feeding;
}

/** A byte stream with look-ahead: peek at a header, then take a member's bytes as chunks. */
class ByteQueue {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private ended = false;

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.reader.read();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.chunks.push(next.value);
    this.buffered += next.value.length;
    return true;
  }

  /** Up to n bytes from the front without consuming them (fewer only at the end of the stream). */
  async peek(n: number): Promise<Uint8Array> {
    while (this.buffered < n && (await this.fill()));
    const out = new Uint8Array(Math.min(n, this.buffered));
    let at = 0;
    for (const c of this.chunks) {
      if (at >= out.length) break;
      const part = c.subarray(0, out.length - at);
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** Exactly n bytes as chunks; fails when the stream ends first. */
  async *take(n: number): AsyncGenerator<Uint8Array, void, undefined> {
    let left = n;
    while (left > 0) {
      if (this.chunks.length === 0 && !(await this.fill())) throw new GzipFormatError(`truncated: a gzip member needs ${left} more bytes`);
      const c = this.chunks[0];
      if (c.length <= left) {
        this.chunks.shift();
        this.buffered -= c.length;
        left -= c.length;
        yield c;
      } else {
        this.chunks[0] = c.subarray(left);
        this.buffered -= left;
        yield c.subarray(0, left);
        left = 0;
      }
    }
  }

  /** Everything that is left. */
  async *rest(): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      if (this.chunks.length === 0 && !(await this.fill())) return;
      const c = this.chunks.shift()!;
      this.buffered -= c.length;
      yield c;
    }
  }

  cancel(reason: unknown): Promise<void> {
    return this.reader.cancel(reason);
  }
}
