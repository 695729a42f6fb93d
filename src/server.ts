import './memory-footprint.js'
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { loadConfigOrExit } from './config.js'

const config = loadConfigOrExit()

const app = await buildApp(config)

// On SIGINT or SIGTERM: stop accepting connections, let requests in flight
// finish, close the database, and exit 0.
closeWithGrace({ delay: 10_000, logger: app.log }, async ({ signal, err }) => {
  if (err !== undefined) app.log.error({ err }, 'shutting down after an uncaught error')
  else app.log.info({ signal }, 'shutting down')
  await app.close()
})

await app.listen({ port: config.PORT, host: config.HOST })
