import fp from 'fastify-plugin'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { BlobStore, type SweepOptions } from '../../files/blob-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Uploaded files, by the SHA-256 of their content, under UPLOADS_DIR. */
    uploads: BlobStore
    /** What the uploads' sweeps ask: which blobs rows refer to, and how old an unreferenced one must be to go. */
    uploadSweep: SweepOptions
    /** Sweeps the upload directory now, after any sweep under way; a failure is logged, not thrown. */
    sweepUploads: () => Promise<void>
    /**
     * Removes the file of `sha256` (nothing when null) if nothing refers to
     * it any more and it is older than UPLOAD_GRACE_MS: what a removed
     * attachment or a replaced picture leaves. A failure is logged, not
     * thrown: the sweep will try again.
     */
    removeUnreferencedUpload: (sha256: string | null, log: FastifyBaseLogger) => Promise<void>
  }
}

export interface UploadsOptions {
  /** UPLOADS_DIR */
  directory: string
  /** UPLOAD_GRACE_MS */
  graceMs: number
}

// Removed attachments' files go at once; the sweep is for what a crash or a
// lost race left behind, and walks every stored file: not often.
const SWEEP_INTERVAL_MS = 3_600_000

/**
 * Opens the upload directory (a directory that cannot be written fails the
 * start) and sweeps it at start-up, without holding the start up, and every
 * hour: temporary files of uploads a crash cut short, and files no
 * attachment nor picture refers to, once they are older than UPLOAD_GRACE_MS.
 */
async function uploads (fastify: FastifyInstance, { directory, graceMs }: UploadsOptions) {
  const store = await BlobStore.open(directory)
  const sweepOptions: SweepOptions = {
    // An attachment's, or a user's picture.
    referenced: async (sha256s) => {
      const [attachments, avatars] = await Promise.all([fastify.db.attachments.referenced(sha256s), fastify.db.users.referencedAvatars(sha256s)])
      return new Set([...attachments, ...avatars])
    },
    olderThanMs: graceMs
  }
  fastify.decorate('uploads', store)
  fastify.decorate('uploadSweep', sweepOptions)
  fastify.decorate('removeUnreferencedUpload', async (sha256: string | null, log: FastifyBaseLogger) => {
    if (sha256 === null) return
    await store.sweepBlob(sha256, sweepOptions).catch((error: unknown) => {
      log.error({ err: error }, 'removing a file nothing refers to failed')
    })
  })

  // The sweep under way, which closing waits for: it asks the database.
  let sweeping = Promise.resolve()
  const sweep = async () => {
    sweeping = sweeping.then(async () => {
      try {
        const removed = await store.sweep(sweepOptions)
        if (removed.temporary + removed.orphans > 0) fastify.log.info({ removed }, 'swept the upload directory')
      } catch (error) {
        fastify.log.error({ err: error }, 'sweeping the upload directory failed')
      }
    })
    return await sweeping
  }
  fastify.decorate('sweepUploads', sweep)
  const timer = setInterval(sweep, SWEEP_INTERVAL_MS)
  timer.unref()
  fastify.addHook('onReady', async () => { void sweep() })
  fastify.addHook('onClose', async () => {
    clearInterval(timer)
    await sweeping
  })
}

export default fp(uploads, { name: 'uploads', dependencies: ['database'] })
