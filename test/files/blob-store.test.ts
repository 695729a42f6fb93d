import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createReadStream } from 'node:fs'
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import t, { type Test } from 'tap'
import { BlobStore, BlobTooLargeError, HEAD_BYTES } from '../../src/files/blob-store.js'
import { temporaryDirectory } from '../helper.js'

const MiB = 1024 * 1024
const HOUR = 3_600_000
const LIMIT = 10_000

/** A store in a new directory of its own, removed when the test ends. */
async function storeIn (t: Test) {
  const directory = temporaryDirectory(t)
  const store = await BlobStore.open(directory)
  return { store, directory, tmp: join(directory, 'tmp'), blobs: join(directory, 'blobs') }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/** `bytes` as a stream of chunks of `size` bytes, as an upload arrives. */
async function * chunked (bytes: Buffer, size = 1000) {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size)
}

/** Every file under `directory`, at any depth, by its path. */
async function filesUnder (directory: string): Promise<string[]> {
  const files: string[] = []
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name)
    if (entry.isDirectory()) files.push(...await filesUnder(path))
    else files.push(path)
  }
  return files
}

/** Sets a file's mtime `ms` into the past, as if it had been written then. */
async function age (path: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms)
  await utimes(path, then, then)
}

/** What `promise` was rejected with (failing the test if it was not). */
async function rejection (t: Test, promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  t.fail('expected a rejection')
}

/** An upload that has written `text` to its temporary file (the only one in `tmp`) and waits for more. */
async function uploadStarted (store: BlobStore, tmp: string, text: string) {
  const source = new PassThrough()
  const stored = store.put(source, LIMIT)
  source.write(Buffer.from(text))
  await until(async () => (await readdir(tmp)).length === 1)
  return { source, stored }
}

async function until (condition: () => Promise<boolean>): Promise<void> {
  while (!await condition()) await new Promise((resolve) => setTimeout(resolve, 5))
}

const nobody = async () => new Set<string>()

t.test('content of 0, 1 and exactly maxBytes bytes is stored under its SHA-256, its bytes at pathOf, its head the first bytes', async (t) => {
  const { store } = await storeIn(t)
  for (const size of [0, 1, 100, LIMIT]) {
    const content = randomBytes(size)
    const stored = await store.put(chunked(content), LIMIT)
    t.equal(stored.sha256, sha256(content), `${size} bytes: the hash`)
    t.equal(stored.size, size)
    t.same(await readFile(store.pathOf(stored.sha256)), content, 'the bytes')
    t.same(stored.head, content.subarray(0, HEAD_BYTES), size > HEAD_BYTES ? `the first ${HEAD_BYTES} bytes` : 'all of them')
    t.ok(await store.has(stored.sha256))
  }
  t.ok(store.pathOf(sha256(Buffer.alloc(0))).endsWith('/e3/b0/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'), 'the empty content under the empty hash')
})

t.test('a byte past maxBytes is refused with BlobTooLargeError, and nothing is left behind', async (t) => {
  const { store, tmp, blobs } = await storeIn(t)
  for (const chunkSize of [1000, LIMIT + 1]) {
    const error = await rejection(t, store.put(chunked(randomBytes(LIMIT + 1), chunkSize), LIMIT))
    t.ok(error instanceof BlobTooLargeError, `in chunks of ${chunkSize}`)
    t.equal((error as BlobTooLargeError).limit, LIMIT, 'saying the limit')
    t.match((error as Error).message, String(LIMIT))
  }
  t.same(await readdir(tmp), [], 'no temporary file')
  t.same(await filesUnder(blobs), [], 'no blob')
})

t.test('a Readable too long is let flow to its end, not destroyed, so the request it may be can still be answered', async (t) => {
  const { store } = await storeIn(t)
  const source = Readable.from(chunked(randomBytes(LIMIT * 3)))
  const ended = once(source, 'end')
  t.ok(await rejection(t, store.put(source, LIMIT)) instanceof BlobTooLargeError)
  await ended
  t.equal(source.errored, null, 'not destroyed with an error')
})

t.test('a generator too long is ended: its cleanup runs', async (t) => {
  const { store } = await storeIn(t)
  let cleaned = false
  async function * endless () {
    try {
      for (;;) yield Buffer.alloc(1000)
    } finally {
      cleaned = true
    }
  }
  t.ok(await rejection(t, store.put(endless(), LIMIT)) instanceof BlobTooLargeError)
  t.ok(cleaned)
})

t.test('the same content put twice, and ten times at once, is one blob, every put answering its hash', async (t) => {
  const { store, tmp, blobs } = await storeIn(t)
  const content = randomBytes(LIMIT)
  const first = await store.put(chunked(content), LIMIT)
  const again = await store.put(chunked(content), LIMIT)
  t.equal(again.sha256, first.sha256)
  const together = await Promise.all(Array.from({ length: 10 }, () => store.put(chunked(content, 100), LIMIT)))
  t.same(together.map(({ sha256 }) => sha256), Array(10).fill(first.sha256))
  t.same(await filesUnder(blobs), [store.pathOf(first.sha256)], 'one file')
  t.same(await readFile(store.pathOf(first.sha256)), content)
  t.same(await readdir(tmp), [], 'no temporary file left')
})

t.test('a source that fails halfway rejects the put with its error, leaving nothing behind', async (t) => {
  const { store, tmp, blobs } = await storeIn(t)
  const failure = new Error('connection reset by peer')
  let pushed = 0
  const source = new Readable({
    read () {
      if (pushed++ < 3) this.push(Buffer.alloc(1000, pushed))
      else this.destroy(failure)
    }
  })
  t.equal(await rejection(t, store.put(source, LIMIT)), failure)
  t.equal(pushed, 4, 'after some of it was read')
  t.same(await readdir(tmp), [], 'no temporary file')
  t.same(await filesUnder(blobs), [], 'no blob')
})

t.test('100 MiB stream through to disk without being held in memory', async (t) => {
  const { store } = await storeIn(t)
  const CHUNK = 64 * 1024
  const COUNT = (100 * MiB) / CHUNK
  const chunkOf = (n: number) => Buffer.alloc(CHUNK, n % 251)
  async function * generated () {
    for (let n = 0; n < COUNT; n++) yield chunkOf(n)
  }
  const expected = createHash('sha256')
  for (let n = 0; n < COUNT; n++) expected.update(chunkOf(n))
  const sha = expected.digest('hex')

  const before = process.memoryUsage().rss
  let peak = before
  const sample = () => { peak = Math.max(peak, process.memoryUsage().rss) }
  const sampler = setInterval(sample, 50)
  const stored = await store.put(generated(), 200 * MiB)
  clearInterval(sampler)
  sample()

  t.equal(stored.sha256, sha)
  t.equal(stored.size, 100 * MiB)
  t.ok(peak - before < 50 * MiB, `RSS grew by ${((peak - before) / MiB).toFixed(1)} MiB while it streamed`)
  const onDisk = createHash('sha256')
  for await (const chunk of createReadStream(store.pathOf(stored.sha256))) onDisk.update(chunk as Buffer)
  t.equal(onDisk.digest('hex'), sha, 'the file holds those bytes')
})

t.test('pathOf names only a lowercase SHA-256: nothing else can become a path', async (t) => {
  const { store } = await storeIn(t)
  const valid = sha256(Buffer.from('x'))
  for (const bad of ['../../etc/passwd', valid.toUpperCase(), valid.slice(1), `${valid}0`, `../${valid.slice(3)}`, '']) {
    t.throws(() => store.pathOf(bad), TypeError, JSON.stringify(bad))
  }
  await t.rejects(store.has('../../etc/passwd'), TypeError)
  await t.rejects(store.remove('../../etc/passwd'), TypeError)
})

t.test('remove takes a blob away, and is a no-op the second time', async (t) => {
  const { store } = await storeIn(t)
  const { sha256 } = await store.put(chunked(Buffer.from('to go')), LIMIT)
  await store.remove(sha256)
  t.equal(await store.has(sha256), false)
  await store.remove(sha256)
  t.equal(await store.has(sha256), false)
})

t.test('has reports a broken store as a fault, not as an absent blob', async (t) => {
  const { store, blobs } = await storeIn(t)
  const hash = sha256(Buffer.from('y'))
  // A file where the store expects a directory.
  await writeFile(join(blobs, hash.slice(0, 2)), 'not a directory')
  await t.rejects(store.has(hash), { code: 'ENOTDIR' })
})

t.test('sweep removes old temporary files and old unreferenced blobs; it keeps fresh files, referenced blobs and files not its own', async (t) => {
  const { store, tmp, blobs } = await storeIn(t)
  const crashed = join(tmp, 'crashed.part')
  const writing = join(tmp, 'writing.part')
  await writeFile(crashed, 'half')
  await age(crashed, 2 * HOUR)
  await writeFile(writing, 'in progress')
  const put = async (text: string, ms: number) => {
    const { sha256 } = await store.put(chunked(Buffer.from(text)), LIMIT)
    await age(store.pathOf(sha256), ms)
    return sha256
  }
  const orphan = await put('orphan', 2 * HOUR)
  const kept = await put('kept', 2 * HOUR)
  const fresh = await put('fresh', 0)
  const junk = [join(blobs, 'README'), join(blobs, 'zz', 'file'), join(blobs, 'ab', 'cd', 'not-a-hash'), join(blobs, 'ab', 'cd', orphan.toUpperCase()), join(blobs, 'ab', 'cd', orphan)]
  for (const path of junk) {
    await mkdir(join(path, '..'), { recursive: true })
    await writeFile(path, 'not the store\'s')
    await age(path, 2 * HOUR)
  }
  await mkdir(join(blobs, 'ab', 'cd', sha256(Buffer.from('a directory'))))
  const asked: string[][] = []

  const result = await store.sweep({
    olderThanMs: HOUR,
    referenced: async (hashes) => {
      asked.push(hashes)
      return new Set(hashes.filter((hash) => hash === kept))
    }
  })

  t.same(result, { temporary: 1, orphans: 1 })
  t.same(await readdir(tmp), ['writing.part'], 'the crashed upload\'s file removed, the one in progress kept')
  t.equal(await store.has(orphan), false, 'the old orphan removed')
  t.equal(await store.has(kept), true, 'the referenced blob kept')
  t.equal(await store.has(fresh), true, 'the fresh orphan kept: its row may not be committed yet')
  t.same(asked.flat().sort(), [orphan, kept].sort(), 'asked only about old blobs')
  for (const path of junk) t.ok((await stat(path)).isFile(), `${path.slice(blobs.length)} left alone`)
})

t.test('sweep asks about at most 500 hashes at once, however many a directory holds', async (t) => {
  const { store, blobs } = await storeIn(t)
  const directory = join(blobs, 'ab', 'cd')
  await mkdir(directory, { recursive: true })
  const hashes = Array.from({ length: 1200 }, () => `abcd${randomBytes(30).toString('hex')}`)
  for (const hash of hashes) {
    await writeFile(join(directory, hash), hash)
    await age(join(directory, hash), 2 * HOUR)
  }
  const batches: number[] = []
  const result = await store.sweep({
    olderThanMs: HOUR,
    referenced: async (asked) => {
      batches.push(asked.length)
      return new Set(asked.filter((hash) => hash < 'abcd8'))
    }
  })
  t.ok(Math.max(...batches) <= 500, `batches of ${batches.join(', ')}`)
  t.equal(batches.reduce((sum, size) => sum + size, 0), 1200, 'each asked about once')
  const unreferenced = hashes.filter((hash) => hash >= 'abcd8')
  t.equal(result.orphans, unreferenced.length)
  t.equal((await readdir(directory)).length, 1200 - unreferenced.length)
})

t.test('an old orphan stored again while the sweep asks about it survives the sweep', async (t) => {
  const { store } = await storeIn(t)
  const content = Buffer.from('uploaded again')
  const { sha256 } = await store.put(chunked(content), LIMIT)
  await age(store.pathOf(sha256), 2 * HOUR)
  const result = await store.sweep({
    olderThanMs: HOUR,
    referenced: async () => {
      // Another instance stores the same content; its row is not committed yet.
      await store.put(chunked(content), LIMIT)
      return new Set()
    }
  })
  t.equal(result.orphans, 0)
  t.same(await readFile(store.pathOf(sha256)), content)
})

t.test('an old blob stored again is fresh: the next sweep keeps it', async (t) => {
  const { store } = await storeIn(t)
  const content = Buffer.from('deduplicated')
  const { sha256 } = await store.put(chunked(content), LIMIT)
  await age(store.pathOf(sha256), 2 * HOUR)
  await store.put(chunked(content), LIMIT)
  t.same(await store.sweep({ olderThanMs: HOUR, referenced: nobody }), { temporary: 0, orphans: 0 })
  t.equal(await store.has(sha256), true)
})

t.test('an orphan removed by someone else while the sweep asks about it is not counted', async (t) => {
  const { store } = await storeIn(t)
  const { sha256 } = await store.put(chunked(Buffer.from('gone')), LIMIT)
  await age(store.pathOf(sha256), 2 * HOUR)
  const result = await store.sweep({
    olderThanMs: HOUR,
    referenced: async () => {
      await store.remove(sha256)
      return new Set()
    }
  })
  t.equal(result.orphans, 0)
})

t.test('an upload in progress keeps its temporary file through a sweep, then is stored', async (t) => {
  const { store, tmp } = await storeIn(t)
  const { source, stored } = await uploadStarted(store, tmp, 'first half, ')
  t.same(await store.sweep({ olderThanMs: HOUR, referenced: nobody }), { temporary: 0, orphans: 0 })
  source.end(Buffer.from('second half'))
  const { sha256 } = await stored
  t.equal((await readFile(store.pathOf(sha256))).toString(), 'first half, second half')
})

t.test('a blob is fresh when stored, however long ago its upload last wrote', async (t) => {
  const { store, tmp } = await storeIn(t)
  const { source, stored } = await uploadStarted(store, tmp, 'trickled')
  const [name] = await readdir(tmp)
  await age(join(tmp, name as string), 2 * HOUR)
  source.end()
  const { sha256 } = await stored
  t.ok(Date.now() - (await stat(store.pathOf(sha256))).mtimeMs < HOUR, 'its mtime is now')
  t.same(await store.sweep({ olderThanMs: HOUR, referenced: nobody }), { temporary: 0, orphans: 0 }, 'so the sweep gives its row time to be committed')
})

t.test('an upload stalled so long that a sweep took its temporary file fails, rather than storing nothing', async (t) => {
  const { store, tmp } = await storeIn(t)
  const { source, stored } = await uploadStarted(store, tmp, 'stalled')
  const [name] = await readdir(tmp)
  await age(join(tmp, name as string), 2 * HOUR)
  t.same(await store.sweep({ olderThanMs: HOUR, referenced: nobody }), { temporary: 1, orphans: 0 })
  source.end()
  await t.rejects(stored, { code: 'ENOENT' })
  t.equal(await store.has(sha256(Buffer.from('stalled'))), false)
})
