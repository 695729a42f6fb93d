import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { Cmd, Copy, DockerfileParser, Env, From, Healthcheck, User, type Instruction } from 'dockerfile-ast'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const dockerfile = readFileSync(`${ROOT}Dockerfile`, 'utf8')

interface Stage { from: From, name: string | undefined, instructions: Instruction[] }

// dockerfile-ast lists instructions in order; each FROM opens a new stage.
const stages: Stage[] = []
for (const instruction of DockerfileParser.parse(dockerfile).getInstructions()) {
  if (instruction instanceof From) {
    stages.push({ from: instruction, name: instruction.getBuildStage()?.toLowerCase(), instructions: [] })
  } else {
    stages.at(-1)?.instructions.push(instruction)
  }
}
const runtime = stages.at(-1)

function only<T extends Instruction> (stage: Stage | undefined, type: abstract new (...args: never[]) => T): T[] {
  return (stage?.instructions ?? []).filter((instruction): instruction is T => instruction instanceof type)
}

function keyword (stage: Stage | undefined, name: string): Instruction[] {
  return (stage?.instructions ?? []).filter((instruction) => instruction.getKeyword() === name)
}

function content (instruction: Instruction | undefined): string {
  return instruction?.getArgumentsContent() ?? ''
}

/** The shell commands of a stage's RUN instructions, one per `&&` or `;` step. */
function shellSteps (stage: Stage | undefined): string[] {
  return keyword(stage, 'RUN').flatMap((run) => content(run).split(/&&|;/)).map((step) => step.trim())
}

/** The last value each ENV instruction of the stage gives each variable. */
function envOf (stage: Stage | undefined): Record<string, string> {
  return Object.fromEntries(only(stage, Env).flatMap((env) => env.getProperties().map((p) => [p.getName(), p.getUnescapedValue() ?? ''])))
}

/** An exec-form (JSON array) argument list as Docker reads it; null for shell form. */
function execForm (text: string): string[] | null {
  return text.trimStart().startsWith('[') ? JSON.parse(text) as string[] : null
}

/**
 * Whether a .dockerignore pattern excludes `path`: `*` within a segment, `**`
 * across segments, and a match also excludes everything beneath it. Enough
 * for the patterns used here; Docker's full syntax has more.
 */
function ignores (pattern: string, path: string): boolean {
  const regex = pattern.replace(/^\*\*\//, '').split('/')
    .map((segment) => segment === '**' ? '.*' : segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
    .join('/')
  return new RegExp(`^${pattern.startsWith('**/') ? '(.*/)?' : ''}${regex}(/.*)?$`).test(path)
}

t.test('the Dockerfile has a separate build stage and runtime stage', async (t) => {
  t.ok(stages.length >= 2, `${stages.length} FROM instructions`)
})

t.test('every base image is the official Node image pinned to major version 22', async (t) => {
  for (const { from } of stages) {
    t.equal(from.getImageName(), 'node', from.getImage() ?? '')
    t.match(from.getImageTag() ?? '', /^22([.-]|$)/, from.getImage() ?? '')
  }
})

t.test('the runtime stage is based on a Node 22 slim image', async (t) => {
  t.equal(runtime?.from.getImageName(), 'node', 'the official node image')
  t.match(runtime?.from.getImageTag() ?? '', /^22(\.\d+){0,2}-([a-z]+-)?slim$/, 'a 22 slim tag')
})

t.test('the stage that provides node_modules installs all dependencies, builds, then keeps only production ones', async (t) => {
  const copy = only(runtime, Copy).find((copy) => copy.getArguments().some((a) => /node_modules\/?$/.test(a.getValue())))
  const source = stages.find((stage) => stage.name !== undefined && stage.name === copy?.getFromFlag()?.getValue()?.toLowerCase())
  t.ok(source, 'the runtime stage copies node_modules from a build stage')
  const steps = shellSteps(source)
  const install = steps.findIndex((step) => /^npm (ci|install)\b/.test(step) && !/--omit[= ]dev|--production/.test(step))
  const build = steps.findIndex((step) => step === 'npm run build')
  const prune = steps.findIndex((step) => /^npm (prune|ci) .*--omit[= ]dev/.test(step))
  t.ok(install >= 0, 'installs dev dependencies too')
  t.ok(build > install, 'builds after installing')
  t.ok(prune > build, 'drops dev dependencies after building')
})

t.test('the runtime stage installs neither dependencies nor compilers', async (t) => {
  for (const step of shellSteps(runtime)) {
    t.notMatch(step, /\b(npm|yarn|pnpm)\s+(ci|install|i|add)\b/, step)
    t.notMatch(step, /\b(apt-get|apt|apk)\b.*\b(gcc|g\+\+|make|python3?|build-essential)\b/, step)
  }
})

t.test('the runtime stage runs as an unprivileged user', async (t) => {
  const user = only(runtime, User).at(-1)
  t.ok(user, 'a USER instruction')
  const name = content(user).split(':')[0]
  t.notOk(name === 'root' || name === '0', `runs as ${name}`)
})

t.test('the runtime stage has a HEALTHCHECK that needs neither curl nor wget', async (t) => {
  const healthcheck = only(runtime, Healthcheck).at(-1)
  t.equal(healthcheck?.getSubcommand()?.getValue().toUpperCase(), 'CMD', 'HEALTHCHECK CMD')
  const probe = content(healthcheck).replace(/^CMD\s+/i, '')
  t.notMatch(probe, /\b(curl|wget)\b/, 'no curl or wget')
  t.match(probe, '/health', 'probes /health')
})

t.test('the runtime stage exposes port 3000, the port its ENV has the server listen on', async (t) => {
  t.ok(keyword(runtime, 'EXPOSE').some((expose) => /^3000(\/tcp)?$/.test(content(expose))), 'EXPOSE 3000')
  t.equal(envOf(runtime).PORT, '3000', 'ENV PORT=3000')
})

t.test('CMD starts dist/server.js with node directly, in exec form so node receives SIGTERM', async (t) => {
  const cmd = only(runtime, Cmd).at(-1)
  t.same(execForm(content(cmd)), ['node', 'dist/server.js'], 'CMD ["node", "dist/server.js"]')
  t.equal(keyword(runtime, 'ENTRYPOINT').length, 0, 'no ENTRYPOINT wraps it')
})

t.test('the runtime ENV listens on every interface in production mode, with tokens required and the database on a volume', async (t) => {
  const env = envOf(runtime)
  t.equal(env.HOST, '0.0.0.0', 'ENV HOST=0.0.0.0')
  t.equal(env.AUTH, 'on', 'ENV AUTH=on: the server refuses AUTH=off on every interface')
  t.equal(env.NODE_ENV, 'production', 'ENV NODE_ENV=production')
  const volumes = keyword(runtime, 'VOLUME').flatMap((volume) => execForm(content(volume)) ?? content(volume).split(/\s+/))
  t.ok(volumes.some((volume) => env.DATABASE_URL?.startsWith(`${volume.replace(/\/$/, '')}/`)), `${env.DATABASE_URL} lies in ${volumes.join(', ')}`)
})

t.test('every COPY --from names an earlier stage', async (t) => {
  stages.forEach((stage, index) => {
    const earlier = stages.slice(0, index).map((s) => s.name)
    for (const copy of only(stage, Copy)) {
      const from = copy.getFromFlag()?.getValue()
      if (from !== undefined && from !== null) t.ok(earlier.includes(from.toLowerCase()), `COPY --from=${from}`)
    }
  })
})

t.test('.dockerignore keeps host builds out of the context but not what the Dockerfile copies from it', async (t) => {
  const patterns = readFileSync(`${ROOT}.dockerignore`, 'utf8').split('\n').map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  for (const excluded of ['node_modules', 'dist', 'data', '.git', 'coverage', '.tap']) t.ok(patterns.includes(excluded), excluded)
  const sources = stages.flatMap((stage) => only(stage, Copy).filter((copy) => copy.getFromFlag() === null)
    .flatMap((copy) => copy.getArguments().slice(0, -1).map((a) => a.getValue().replace(/^\.\//, '').replace(/\/$/, ''))))
  t.ok(sources.length > 0, 'the Dockerfile copies from the context')
  for (const source of sources) t.notOk(patterns.some((p) => !p.startsWith('!') && ignores(p, source)), `${source} is sent to the builder`)
})
