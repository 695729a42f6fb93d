import { createHash, randomUUID } from 'node:crypto'
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import { dirname, join } from 'node:path'
import { Readable } from 'node:stream'

/** How many of a blob's first bytes `put` hands back, enough to tell a file's type from its bytes. */
export const HEAD_BYTES = 4100

/** How many hashes the sweep asks about at once: one question per batch, never every name in memory. */
const SWEEP_BATCH = 500

const SHA256_HEX = /^[0-9a-f]{64}$/
const TWO_HEX = /^[0-9a-f]{2}$/

/** What `put` stored. */
export interface StoredBlob {
  /** The content's SHA-256, in lowercase hex: its name in the store. */
  sha256: string
  size: number
  /** The first HEAD_BYTES bytes (all of them when the content is shorter). */
  head: Buffer
}

/** A file `stage` wrote and flushed, not stored yet: `keep` or `discard` it. */
export interface StagedBlob extends StoredBlob {
  /** Its temporary file. */
  readonly temporary: string
}

export interface SweepOptions {
  /** Which of these hashes rows of the database refer to (the others are orphans). */
  referenced: (sha256s: string[]) => Promise<Set<string>>
  /** Files younger than this are kept whatever they are: an upload in progress, or a blob whose row is not committed yet. */
  olderThanMs: number
}

/** What a sweep removed. */
export interface SweepResult {
  /** Temporary files a crash or a failed upload left behind. */
  temporary: number
  /** Blobs no row refers to. */
  orphans: number
}

/**
 * A stream was longer than the store was allowed to take: nothing of it was
 * kept.
 */
export class BlobTooLargeError extends Error {
  override name = 'BlobTooLargeError'

  constructor (readonly limit: number) {
    super(`The content is longer than the limit of ${limit} bytes`)
  }
}

/**
 * Files stored by the SHA-256 of their content under one directory, which
 * several instances may share: `tmp/` holds files being written,
 * `blobs/<2 hex>/<2 hex>/<sha256>` the stored ones, each content once.
 *
 * A file is streamed to a temporary name, fsynced, then renamed onto its
 * final path, so a stored blob is always whole; the database row that refers
 * to it is to be written after `put` answers. A crash can then leave
 * temporary files and blobs no row refers to, never a row without its blob:
 * `sweep` removes the former.
 */
export class BlobStore {
  readonly #temporary: string
  readonly #blobs: string

  private constructor (directory: string) {
    this.#temporary = join(directory, 'tmp')
    this.#blobs = join(directory, 'blobs')
  }

  /**
   * The store in `directory`, its directories made now, so that a directory
   * that cannot be written fails at start-up rather than at the first upload.
   */
  static async open (directory: string): Promise<BlobStore> {
    const store = new BlobStore(directory)
    await makeDirectory(store.#temporary)
    await makeDirectory(store.#blobs)
    return store
  }

  /**
   * Streams `source` into the store, hashing it as it goes, and answers what
   * it stored: `stage` then `keep`.
   */
  async put (source: Readable | AsyncIterable<Buffer>, maxBytes: number): Promise<StoredBlob> {
    const staged = await this.stage(source, maxBytes)
    try {
      await this.keep(staged)
    } catch (error) {
      await this.discard(staged)
      throw error
    }
    return { sha256: staged.sha256, size: staged.size, head: staged.head }
  }

  /**
   * Streams `source` to a temporary file, hashing it as it goes, and flushes
   * it to the disk; `keep` then stores it, or `discard` drops it. An upload
   * of several files stages each one and keeps them only once all have
   * arrived whole, so a request that fails halfway leaves nothing behind.
   *
   * Past `maxBytes` it stops with BlobTooLargeError, and nothing is kept.
   * A Readable it stops reading early (too long, or the disk failed) is
   * resumed, its rest flowing away, rather than destroyed: the request it may
   * be can still be answered. An AsyncIterable is ended (its `return`).
   */
  async stage (source: Readable | AsyncIterable<Buffer>, maxBytes: number): Promise<StagedBlob> {
    const temporary = join(this.#temporary, `${randomUUID()}.part`)
    const file = await open(temporary, 'wx')
    try {
      let stored: StoredBlob
      try {
        stored = await writeStream(source, file, maxBytes)
        // Stored now, however long ago its last byte came: the sweep's grace period starts here.
        const now = new Date()
        await file.utimes(now, now)
        await file.sync()
      } finally {
        await file.close()
      }
      return { ...stored, temporary }
    } catch (error) {
      await removeIfPresent(temporary)
      throw error
    }
  }

  /**
   * Renames a staged file onto its blob's path, durably. Storing content
   * already stored replaces the file with the same bytes, so either way the
   * blob's mtime is its staging's and a sweep keeps it until its row has had
   * time to be committed.
   */
  async keep (staged: StagedBlob): Promise<void> {
    const path = this.pathOf(staged.sha256)
    await makeDirectory(dirname(path))
    await rename(staged.temporary, path)
    await syncDirectory(dirname(path))
  }

  /** Drops a staged file that is not to be kept. */
  async discard (staged: StagedBlob): Promise<void> {
    await removeIfPresent(staged.temporary)
  }

  /** Where the blob of `sha256` is stored; throws unless it is a lowercase SHA-256 hex digest, so it never names a path elsewhere. */
  pathOf (sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new TypeError('Not a lowercase SHA-256 hex digest')
    return join(this.#blobs, sha256.slice(0, 2), sha256.slice(2, 4), sha256)
  }

  async has (sha256: string): Promise<boolean> {
    return await statIfPresent(this.pathOf(sha256)) !== undefined
  }

  /** Removes the blob of `sha256`, if it is there. */
  async remove (sha256: string): Promise<void> {
    await removeIfPresent(this.pathOf(sha256))
  }

  /**
   * Removes temporary files older than `olderThanMs` (younger ones may be
   * uploads in progress on another instance) and blobs older than that which
   * `referenced` does not name. Walks the blobs one directory at a time and
   * asks about at most SWEEP_BATCH hashes at once. Files it did not write
   * (names that are not a hash in its place) are left alone.
   */
  async sweep ({ referenced, olderThanMs }: SweepOptions): Promise<SweepResult> {
    const before = Date.now() - olderThanMs
    const temporary = await this.#sweepTemporary(before)
    let orphans = 0
    for await (const directory of this.#leafDirectories()) {
      orphans += await this.#sweepLeaf(directory, before, referenced)
    }
    return { temporary, orphans }
  }

  /**
   * Removes the blob of `sha256` if it is older than `olderThanMs` and
   * `referenced` does not name it, on the sweep's terms: what a removed
   * attachment's file is given at once rather than at the next sweep.
   * Answers whether it removed it.
   */
  async sweepBlob (sha256: string, { referenced, olderThanMs }: SweepOptions): Promise<boolean> {
    const before = Date.now() - olderThanMs
    const old = await this.#olderThan([sha256], before)
    if (old.length === 0 || (await referenced(old)).has(sha256)) return false
    return await this.#removeOrphan(this.pathOf(sha256), before)
  }

  async #sweepTemporary (before: number): Promise<number> {
    let removed = 0
    for (const name of await fileNames(this.#temporary)) {
      const path = join(this.#temporary, name)
      const stats = await statIfPresent(path)
      if (stats === undefined || stats.mtimeMs >= before) continue
      if (await removeIfPresent(path)) removed += 1
    }
    return removed
  }

  /** The `blobs/<2 hex>/<2 hex>` directories, one at a time, with the first four hex digits of the hashes they hold. */
  async * #leafDirectories (): AsyncGenerator<{ directory: string, prefix: string }> {
    for (const first of await directoryNames(this.#blobs)) {
      for (const second of await directoryNames(join(this.#blobs, first))) {
        yield { directory: join(this.#blobs, first, second), prefix: first + second }
      }
    }
  }

  /** Sweeps the blobs of one leaf directory; answers how many it removed. */
  async #sweepLeaf ({ directory, prefix }: { directory: string, prefix: string }, before: number, referenced: SweepOptions['referenced']): Promise<number> {
    const hashes = (await fileNames(directory)).filter((name) => SHA256_HEX.test(name) && name.startsWith(prefix))
    let removed = 0
    for (let start = 0; start < hashes.length; start += SWEEP_BATCH) {
      const old = await this.#olderThan(hashes.slice(start, start + SWEEP_BATCH), before)
      if (old.length === 0) continue
      const kept = await referenced(old)
      for (const sha256 of old) {
        if (!kept.has(sha256) && await this.#removeOrphan(this.pathOf(sha256), before)) removed += 1
      }
    }
    return removed
  }

  /** The hashes among `hashes` whose blob was last written before `before` (ms since the epoch); gone ones are left out. */
  async #olderThan (hashes: string[], before: number): Promise<string[]> {
    const stats = await Promise.all(hashes.map((sha256) => statIfPresent(this.pathOf(sha256))))
    return hashes.filter((_, index) => {
      const mtimeMs = stats[index]?.mtimeMs
      return mtimeMs !== undefined && mtimeMs < before
    })
  }

  /**
   * Removes an orphan unless it was stored again since the sweep looked at
   * it (an upload of the same content, whose row may be on its way). The
   * file system has no "delete if unchanged": the blob is moved aside, which
   * only one can do, then looked at again, and put back if it turned fresh.
   */
  async #removeOrphan (path: string, before: number): Promise<boolean> {
    const aside = join(this.#temporary, `${randomUUID()}.swept`)
    if (!await renameIfPresent(path, aside)) return false
    const moved = await statIfPresent(aside)
    if (moved !== undefined && moved.mtimeMs >= before) {
      await rename(aside, path)
      return false
    }
    return await removeIfPresent(aside)
  }
}

/** Writes every chunk of `source` to `file`, hashing and counting it, until its end or `maxBytes`. */
async function writeStream (source: Readable | AsyncIterable<Buffer>, file: FileHandle, maxBytes: number): Promise<StoredBlob> {
  const hash = createHash('sha256')
  const head = Buffer.alloc(HEAD_BYTES)
  let size = 0
  const chunks: AsyncIterable<Buffer> = source instanceof Readable ? source.iterator({ destroyOnReturn: false }) : source
  try {
    for await (const chunk of chunks) {
      if (size + chunk.length > maxBytes) throw new BlobTooLargeError(maxBytes)
      if (size < HEAD_BYTES) chunk.copy(head, size)
      size += chunk.length
      hash.update(chunk)
      await writeFully(file, chunk)
    }
  } catch (error) {
    if (source instanceof Readable) source.resume()
    throw error
  }
  return { sha256: hash.digest('hex'), size, head: head.subarray(0, Math.min(size, HEAD_BYTES)) }
}

/** Writes all of `chunk` at the file's position (a write may take less than it was given). */
async function writeFully (file: FileHandle, chunk: Buffer): Promise<void> {
  let written = 0
  while (written < chunk.length) {
    const { bytesWritten } = await file.write(chunk, written)
    written += bytesWritten
  }
}

/**
 * Creates `path` and its missing parents, and makes each new entry durable:
 * a blob renamed into a directory made just now must not vanish with it on a
 * crash, leaving a committed row without its file.
 */
async function makeDirectory (path: string): Promise<void> {
  const first = await mkdir(path, { recursive: true })
  if (first === undefined) return
  // From `path` up to the first directory made, each one's parent holds its new entry.
  for (let made = path; made !== dirname(first); made = dirname(made)) await syncDirectory(dirname(made))
}

/** Flushes a directory's entries (files renamed into it, removed from it) to the disk. */
async function syncDirectory (path: string): Promise<void> {
  const directory = await open(path, 'r')
  try {
    await directory.sync()
  } finally {
    await directory.close()
  }
}

async function fileNames (directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name)
}

/** The names of the `<2 hex>` directories in `directory`. */
async function directoryNames (directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true })
  return entries.filter((entry) => entry.isDirectory() && TWO_HEX.test(entry.name)).map((entry) => entry.name)
}

/** What `operation` answers, or undefined when the file is not there (another instance, or a finished upload, may have taken it). */
async function ifPresent<T> (operation: Promise<T>): Promise<T | undefined> {
  try {
    return await operation
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

async function statIfPresent (path: string): Promise<Stats | undefined> {
  return await ifPresent(stat(path))
}

/** Removes a file; answers whether it was there to remove. */
async function removeIfPresent (path: string): Promise<boolean> {
  return await ifPresent(unlink(path).then(() => true)) ?? false
}

/** Renames a file; answers whether it was there to rename. */
async function renameIfPresent (from: string, to: string): Promise<boolean> {
  return await ifPresent(rename(from, to).then(() => true)) ?? false
}
