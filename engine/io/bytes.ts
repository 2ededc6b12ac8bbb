/**
 * Random-access byte sources. The safetensors reader only needs `size` and `read(offset,
 * length)`, so the same code reads an in-memory buffer, a browser File/Blob (one slice per
 * tensor, never the whole file) or, in Node, a file on disk (engine/io/node.ts).
 */
import { CheckpointFormatError } from './errors';

export interface ByteSource {
  /** Name used in error messages, e.g. "model-00001-of-00003.safetensors". */
  readonly name: string;
  /** Total length in bytes. */
  readonly size: number;
  /** Exactly `length` bytes starting at `offset` (callers stay within [0, size]). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * The same bytes read synchronously, in a buffer of their own (never a view of storage the
   * source keeps), where the platform can: memory, a Blob in a worker (FileReaderSync), a file
   * in Node. A model is then built tensor by tensor, each read, uploaded and let go
   * (engine/models streamModel), instead of the whole checkpoint read into memory first.
   */
  readSync?(offset: number, length: number): Uint8Array;
}

function checkRange(source: ByteSource, offset: number, length: number): void {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > source.size
  ) {
    throw new CheckpointFormatError(
      source.name,
      `cannot read ${length} bytes at offset ${offset}: the file holds ${source.size} bytes`,
    );
  }
}

/** A source over bytes already in memory; reads are views (no copy), sync reads copies. */
export function bufferSource(bytes: Uint8Array | ArrayBuffer, name = 'buffer'): ByteSource {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const source: ByteSource = {
    name,
    size: view.byteLength,
    async read(offset, length) {
      checkRange(source, offset, length);
      return view.subarray(offset, offset + length);
    },
    readSync(offset, length) {
      checkRange(source, offset, length);
      return view.slice(offset, offset + length);
    },
  };
  return source;
}

/** FileReaderSync: only in workers (the Playground's), absent on a page and in Node. */
interface SyncBlobReader {
  readAsArrayBuffer(blob: Blob): ArrayBuffer;
}
function syncBlobReader(): SyncBlobReader | undefined {
  const Reader = (globalThis as { FileReaderSync?: new () => SyncBlobReader }).FileReaderSync;
  return Reader ? new Reader() : undefined;
}

/**
 * A source over a browser Blob or File: each read is one `slice().arrayBuffer()`; in a worker,
 * a sync read is one FileReaderSync read of the slice (absent elsewhere).
 */
export function blobSource(blob: Blob, name?: string): ByteSource {
  const fileName =
    name ?? (typeof File !== 'undefined' && blob instanceof File ? blob.name : 'blob');
  const checked = (buffer: ArrayBuffer, offset: number, length: number) => {
    if (buffer.byteLength !== length) {
      throw new CheckpointFormatError(
        fileName,
        `reading ${length} bytes at offset ${offset} returned ${buffer.byteLength} bytes ` +
          '(was the file changed while it was being read?)',
      );
    }
    return new Uint8Array(buffer);
  };
  const source: ByteSource = {
    name: fileName,
    size: blob.size,
    async read(offset, length) {
      checkRange(source, offset, length);
      return checked(await blob.slice(offset, offset + length).arrayBuffer(), offset, length);
    },
  };
  const reader = syncBlobReader();
  if (reader)
    source.readSync = (offset, length) => {
      checkRange(source, offset, length);
      return checked(reader.readAsArrayBuffer(blob.slice(offset, offset + length)), offset, length);
    };
  return source;
}
