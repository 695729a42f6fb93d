import Fastify from 'fastify'
import closeWithGrace from 'close-with-grace'
import { loadConfigOrExit } from './config.js'
import databasePlugin from './plugins/app/database.js'
import jobWorkerPlugin, { jobWorkerSettings } from './plugins/app/job-worker.js'

// `npm run worker`: works the job queue, and nothing else, beside any number
// of servers (started with JOB_WORKER=off, or not) on the same database. It
// reads the same settings as the server.
const config = loadConfigOrExit()

const worker = Fastify({ logger: { level: config.LOG_LEVEL } })
await worker.register(databasePlugin, config)
await worker.register(jobWorkerPlugin, jobWorkerSettings(config))

// On SIGINT or SIGTERM: finish or give back the jobs in hand, close the database, exit 0.
closeWithGrace({ delay: config.JOB_SHUTDOWN_GRACE_MS + 5000, logger: worker.log }, async ({ signal, err }) => {
  if (err !== undefined) worker.log.error({ err }, 'shutting down after an uncaught error')
  else worker.log.info({ signal }, 'shutting down')
  await worker.close()
})

await worker.ready()
worker.log.info({ concurrency: config.JOB_CONCURRENCY }, 'worker started')
