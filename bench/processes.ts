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

// USER_HZ, in which /proc counts CPU time: 100 on every Linux this runs on.
const CLOCK_TICKS_PER_SECOND = 100

/** A memory figure of the process's /proc status (VmRSS, VmHWM), in MB. */
function statusMb (child: ChildProcess, field: string): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
  return Number(match?.[1]) / 1024
}

export interface Server {
  url: string
  process: ChildProcess
  /** Milliseconds from spawning the process to its first healthy answer. */
  startupMs: number
  /** The process's resident memory now, in MB, from /proc. */
  rssMb: () => number
  /** The most resident memory the process has had so far, in MB (its high-water mark, from /proc). */
  peakRssMb: () => number
  /** CPU time the process has used so far, user and system, in seconds (from /proc). */
  cpuSeconds: () => number
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
    rssMb: () => statusMb(child, 'VmRSS'),
    peakRssMb: () => statusMb(child, 'VmHWM'),
    cpuSeconds: () => {
      // utime and stime, the 14th and 15th fields, counted after the command name (which may hold spaces).
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND
    },
    stop: async () => {
      child.kill('SIGTERM')
      if (child.exitCode === null) await once(child, 'exit')
    }
  }
}
