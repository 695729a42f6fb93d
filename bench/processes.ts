import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { openSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** A port nothing listens on right now. */
export async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

/** Runs a command to its end; rejects with its output if it fails. */
export async function run (command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env } })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const [code] = await once(child, 'exit') as [number | null]
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`)
  return output
}

export interface Server {
  url: string
  process: ChildProcess
  /** Milliseconds from spawning the process to its first healthy answer. */
  startupMs: number
  /** The process's resident memory now, in MB, from /proc. */
  rssMb: () => number
  stop: () => Promise<void>
}

/**
 * Starts `node <args>` with its output going to `logFile` (as a user's logs
 * would go to a file or a collector), and waits until `healthPath` answers 200.
 */
export async function startServer (args: string[], env: Record<string, string>, logFile: string, healthPath = '/health'): Promise<Server> {
  const port = await freePort()
  const log = openSync(logFile, 'a')
  const started = performance.now()
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', log, log]
  })
  const url = `http://127.0.0.1:${port}`
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}:\n${readFileSync(logFile, 'utf8')}`)
    const healthy = await fetch(url + healthPath).then((response) => response.ok, () => false)
    if (healthy) break
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  const startupMs = performance.now() - started
  return {
    url,
    process: child,
    startupMs,
    rssMb: () => {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
      return Number(match?.[1]) / 1024
    },
    stop: async () => {
      child.kill('SIGTERM')
      if (child.exitCode === null) await once(child, 'exit')
    }
  }
}
