import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, delimiter, dirname, join, posix } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Copy, DockerfileParser, Env, From, Healthcheck } from 'dockerfile-ast'
import t, { type Test } from 'tap'
import { freePort } from '../helper.js'

// The build stage runs a full `npm ci`, compiling better-sqlite3: about two
// minutes on two idle cores, longer with other test files running alongside.
t.setTimeout(600_000)

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }

/**
 * A Dockerfile stage replayed on this machine: `root` is the host directory
 * standing in for the stage's filesystem, the rest is what the image records.
 */
interface Stage {
  name: string | undefined
  root: string
  workdir: string
  env: Record<string, string>
  cmd: string[]
  healthcheck: { command: string[], timeoutMs: number } | undefined
}

/** Where a path inside the stage's filesystem lies on this machine. */
function hostPath (stage: Stage, path: string): string {
  return join(stage.root, posix.resolve(stage.workdir, path))
}

/** Docker's reading of a RUN, CMD or HEALTHCHECK command: a JSON array, or else a shell command. */
function command (text: string): string[] {
  return text.trimStart().startsWith('[') ? JSON.parse(text) as string[] : ['/bin/sh', '-c', text]
}

function milliseconds (duration: string | null | undefined, fallback: number): number {
  const match = /^(\d+)(ms|s|m)$/.exec(duration ?? '')
  if (match === null) return fallback
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm']
}

// Killed when the file ends, so a timed-out npm ci does not keep compiling.
const running = new Set<ChildProcess>()
t.teardown(() => { for (const child of running) child.kill('SIGKILL') })

async function run (argv: string[], options: { cwd: string, env: Record<string, string>, timeout?: number }) {
  const [file, ...args] = argv
  const child = spawn(file!, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const [code] = await once(child, 'close') as [number | null]
  running.delete(child)
  return { code, output }
}


// A build on this machine rather than in a fresh image: keep PATH, HOME (npm's
// cache and config) and proxy settings, but drop what npm and tap set for this
// run; npm_config_local_prefix alone would point npm at the project itself.
function buildEnv (stage: Stage): Record<string, string> {
  const inherited = Object.entries(process.env)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && !/^(npm_|tap|_tapjs|ts_node_|node_options$|node_v8_coverage$|node_env$|node$|init_cwd$)/i.test(entry[0]))
  return { ...Object.fromEntries(inherited), ...stage.env }
}

/**
 * Replays the Dockerfile stage by stage: COPY copies (from the project or an
 * earlier stage), WORKDIR and ENV are tracked, RUN steps of the build stages
 * run here. The runtime stage's RUN steps are not run: they prepare paths
 * outside the app (the /data volume), which this test replaces by a
 * temporary DATABASE_URL. Anything it cannot replay fails the test rather
 * than being skipped.
 */
async function replay (t: Test, work: string): Promise<Stage> {
  const instructions = DockerfileParser.parse(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).getInstructions()
  const lastFrom = instructions.findLastIndex((instruction) => instruction instanceof From)
  const stages: Stage[] = []
  for (const [index, instruction] of instructions.entries()) {
    const text = instruction.getArgumentsContent() ?? ''
    if (instruction instanceof From) {
      const name = instruction.getBuildStage()?.toLowerCase()
      stages.push({ name, root: join(work, `stage-${stages.length}`), workdir: '/', env: {}, cmd: [], healthcheck: undefined })
      continue
    }
    const stage = stages.at(-1)
    if (stage === undefined) continue // an ARG before the first FROM
    switch (instruction.getKeyword()) {
      case 'WORKDIR':
        stage.workdir = posix.resolve(stage.workdir, text)
        mkdirSync(hostPath(stage, '.'), { recursive: true })
        break
      case 'ENV':
        for (const property of (instruction as Env).getProperties()) stage.env[property.getName()] = property.getUnescapedValue() ?? ''
        break
      case 'COPY':
        copy(stage, instruction as Copy, stages)
        break
      case 'RUN':
        if (index > lastFrom) {
          t.comment(`not replayed (runtime stage): RUN ${text}`)
        } else {
          const { code, output } = await run(command(text), { cwd: hostPath(stage, '.'), env: buildEnv(stage) })
          t.equal(code, 0, `RUN ${text}`, { output })
          if (code !== 0) throw new Error(`RUN ${text} failed`)
        }
        break
      case 'CMD':
        stage.cmd = command(text)
        break
      case 'HEALTHCHECK': {
        const healthcheck = instruction as Healthcheck
        const timeout = healthcheck.getFlags().find((flag) => flag.getName() === 'timeout')?.getValue()
        stage.healthcheck = healthcheck.getSubcommand()?.getValue().toUpperCase() === 'CMD'
          ? { command: command(text.replace(/^CMD\s+/i, '')), timeoutMs: milliseconds(timeout, 30_000) }
          : undefined
        break
      }
      case 'USER': case 'EXPOSE': case 'VOLUME': case 'LABEL': case 'ARG': case 'STOPSIGNAL':
        break // image metadata only
      default:
        throw new Error(`${instruction.getKeyword()} is not replayed by this test; teach it how`)
    }
  }
  return stages.at(-1)!
}

function copy (stage: Stage, instruction: Copy, stages: Stage[]): void {
  const from = instruction.getFromFlag()?.getValue()?.toLowerCase()
  const source = from === undefined ? undefined : stages.find((s) => s.name === from)
  if (from !== undefined && source === undefined) throw new Error(`COPY --from=${from}: no earlier stage of that name`)
  const paths = instruction.getArguments().map((argument) => argument.getValue())
  const destination = paths.pop() ?? ''
  for (const path of paths) {
    if (/[*?[]/.test(path)) throw new Error(`COPY ${path}: wildcards are not replayed by this test`)
    // Sources come from the build context, or from the root of the earlier stage.
    const origin = source === undefined ? join(ROOT, path) : join(source.root, posix.resolve('/', path))
    let target = hostPath(stage, destination)
    if (!statSync(origin).isDirectory() && (destination.endsWith('/') || paths.length > 1)) target = join(target, basename(path))
    mkdirSync(dirname(target), { recursive: true })
    // Verbatim, so node_modules/.bin links keep pointing inside the copy.
    cpSync(origin, target, { recursive: true, verbatimSymlinks: true })
  }
}


async function accepts (port: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1')
  try {
    await once(socket, 'connect')
    return true
  } catch {
    return false
  } finally {
    socket.destroy()
  }
}

const work = mkdtempSync(join(tmpdir(), 'task-api-image-'))
t.teardown(() => rmSync(work, { recursive: true, force: true }))
let image: Stage | undefined

/**
 * The environment a container of the image has, apart from the base image's
 * own: the final stage's ENV, with the database mapped into the replayed
 * filesystem, a loopback HOST and the given overrides.
 */
function containerEnv (image: Stage, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: [dirname(process.execPath), process.env.PATH].join(delimiter),
    ...image.env,
    DATABASE_URL: hostPath(image, image.env.DATABASE_URL ?? ''),
    HOST: '127.0.0.1',
    ...overrides
  }
}

t.test('the Dockerfile steps assemble the runtime stage outside Docker', async (t) => {
  image = await replay(t, work)
  t.ok(image.env.DATABASE_URL, 'the runtime ENV names the database')
  t.ok(image.healthcheck, 'the runtime stage has a HEALTHCHECK command')
  t.not(image.cmd.length, 0, 'the runtime stage has a CMD')
})

t.test('the runtime stage has every production dependency and no dev-only one', async (t) => {
  if (image === undefined) return t.fail('the runtime stage was not assembled')
  const app = hostPath(image, '.')
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as
    { packages: Record<string, { dev?: boolean, optional?: boolean, devOptional?: boolean }> }
  const entries = Object.entries(lock.packages).filter(([path]) => path.startsWith('node_modules/'))
  const devPresent = entries.filter(([path, info]) => info.dev === true && existsSync(join(app, path))).map(([path]) => path)
  const prodMissing = entries.filter(([path, info]) => info.dev !== true && info.optional !== true && info.devOptional !== true && !existsSync(join(app, path))).map(([path]) => path)
  t.same(devPresent, [], 'no dev-only package')
  t.same(prodMissing, [], 'every production package')
  t.notOk(existsSync(join(app, 'node_modules/typescript')), 'no typescript')
  t.notOk(existsSync(join(app, 'node_modules/tap')), 'no tap')
  t.ok(existsSync(join(app, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')), 'better-sqlite3 is compiled')
})

t.test('node dist/db/migrate.js creates and migrates the database at the image DATABASE_URL', async (t) => {
  if (image === undefined) return t.fail('the runtime stage was not assembled')
  const env = containerEnv(image)
  const database = hostPath(image, image.env.DATABASE_URL ?? '')
  t.notOk(existsSync(database), 'no database yet')
  const { code, output } = await run(['node', 'dist/db/migrate.js'], { cwd: hostPath(image, '.'), env })
  t.equal(code, 0, 'exits 0', { output })
  t.ok(existsSync(database), `${database} exists`)
})

t.test('the image CMD serves /health, its HEALTHCHECK passes, and SIGTERM stops it with exit code 0', async (t) => {
  if (image?.healthcheck === undefined) return t.fail('the runtime stage was not assembled')
  const { healthcheck } = image
  const port = await freePort()
  const env = containerEnv(image, { PORT: String(port) })
  const cwd = hostPath(image, '.')
  const [file, ...args] = image.cmd
  const server = spawn(file!, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  server.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  server.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const exited = once(server, 'exit').then(([code]) => code as number | null)
  t.teardown(() => { if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL') })

  const deadline = Date.now() + 60_000
  while (!(await accepts(port))) {
    if (server.exitCode !== null || Date.now() > deadline) return t.fail('the server never listened', { output })
    await sleep(200)
  }

  const probe = await run(healthcheck.command, { cwd, env, timeout: healthcheck.timeoutMs })
  t.equal(probe.code, 0, 'the HEALTHCHECK command passes', { output: probe.output })
  const response = await fetch(`http://127.0.0.1:${port}/health`)
  t.equal(response.status, 200, 'GET /health is a 200')
  t.same(await response.json(), { status: 'ok', version: packageJson.version }, 'reporting ok and the package version')
  const livePage = await fetch(`http://127.0.0.1:${port}/live`)
  t.equal(livePage.status, 200, 'the image has the live page\'s files')
  t.match(livePage.headers.get('content-type'), /^text\/html/)
  // AUTH=on: the sign-in page, rendered from the image's templates, with its style sheet (sodium-native loads: the session cookie is set).
  const signIn = await fetch(`http://127.0.0.1:${port}/web/sign-in`)
  t.equal(signIn.status, 200, 'the image renders the web pages')
  t.match(signIn.headers.get('set-cookie'), /^task_api_session=/, 'and starts their session')
  const styleSheet = /href="(\/web\/assets\/app\.[0-9a-f]+\.css)"/.exec(await signIn.text())?.[1]
  t.equal(styleSheet === undefined ? undefined : (await fetch(`http://127.0.0.1:${port}${styleSheet}`)).status, 200, 'with the style sheet they link to')

  server.kill('SIGTERM')
  t.equal(await exited, 0, 'exit code after SIGTERM', { output })
  const down = await run(healthcheck.command, { cwd, env, timeout: healthcheck.timeoutMs })
  t.not(down.code, 0, 'the HEALTHCHECK command fails once nothing answers')
})
