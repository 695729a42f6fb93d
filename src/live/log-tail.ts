import type { SharedRead } from '../db/event-log.js'
import { READ_LIMIT } from './log-follower.js'

/** What the tail read, from where. */
export interface TailRead extends SharedRead {
  /** The read was of the events after this one (the tail's cursor before it). */
  after: number
}

/** A feed following the tail. */
export interface TailListener {
  /** Events the tail read, whoever may see them: the listener sorts out its own. Called in order, every read. */
  read (read: TailRead): void
  /** The tail let the listener go: it failed (`error`), or events it had not read were forgotten; the listener reads on by itself. */
  dropped (error?: unknown): void
}

export interface LogTailOptions {
  /** Reads events after a seq with who may read them (the database's readWithReaders). */
  read: (after: number) => Promise<SharedRead>
  /** Tells the listener whenever this process (or another, where the database tells) has committed events; answers how to stop. */
  onAppended: (listener: () => void) => () => void
  /** How long to wait for a wake-up before reading again anyway (other processes' commits). */
  pollIntervalMs: number
}

/**
 * The newest end of the change log, read once for every live feed of this
 * instance: when the database says events were committed (or every
 * `pollIntervalMs`), one read, whose events each feed filters in memory for
 * its reader. A thousand sockets in a room cost one query per commit, not a
 * thousand. It reads only while a feed listens; a feed that is behind reads
 * by itself until it has caught up, then joins.
 */
export class LogTail {
  readonly #options: LogTailOptions
  readonly #listeners = new Set<TailListener>()
  #cursor: number | undefined
  // Which run of the reading loop is current: a loop stopped (no listener left) ends at its next step.
  #run = 0
  // Events were committed since the last read began: read again at once.
  #appended = false
  #wake: (() => void) | undefined
  #stopListening: (() => void) | undefined

  constructor (options: LogTailOptions) {
    this.#options = options
  }

  /**
   * Adds a listener whose feed has delivered every event through `cursor`,
   * when the tail has not read past it (then the next read's events include
   * every one after `cursor`); answers whether it did.
   */
  join (listener: TailListener, cursor: number): boolean {
    if (this.#cursor === undefined) {
      this.#cursor = cursor
      this.#start()
    } else if (this.#cursor > cursor) {
      return false
    }
    this.#listeners.add(listener)
    return true
  }

  leave (listener: TailListener): void {
    if (!this.#listeners.delete(listener) || this.#listeners.size > 0) return
    this.#stop()
  }

  #start (): void {
    const run = ++this.#run
    this.#appended = true
    this.#stopListening = this.#options.onAppended(() => {
      this.#appended = true
      this.#wake?.()
    })
    this.#follow(run).catch((error: unknown) => this.#drop(run, error))
  }

  #stop (): void {
    this.#run += 1
    this.#cursor = undefined
    this.#stopListening?.()
    this.#wake?.()
  }

  /** Lets every listener go (each reads on by itself, or fails with `error`), and stops. */
  #drop (run: number, error?: unknown): void {
    if (run !== this.#run) return
    const listeners = [...this.#listeners]
    this.#listeners.clear()
    this.#stop()
    for (const listener of listeners) listener.dropped(error)
  }

  async #follow (run: number): Promise<void> {
    while (run === this.#run) {
      if (!this.#appended) await this.#nextWake()
      if (run !== this.#run) return
      this.#appended = false
      const after = this.#cursor as number
      const read = await this.#options.read(after)
      if (run !== this.#run) return
      if (read.reset) return this.#drop(run)
      this.#cursor = read.through
      const told = { ...read, after }
      for (const listener of this.#listeners) listener.read(told)
      if (read.events.length === READ_LIMIT) this.#appended = true
    }
  }

  #nextWake (): Promise<void> {
    return new Promise((resolve) => {
      const woken = () => {
        clearTimeout(timer)
        this.#wake = undefined
        resolve()
      }
      const timer = setTimeout(woken, this.#options.pollIntervalMs)
      this.#wake = woken
    })
  }
}
