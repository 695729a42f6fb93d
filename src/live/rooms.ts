import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { PresenceRepository } from '../db/presence-repository.js'

/** Someone in a room: a WebSocket of the feed, told when others come and go. */
export interface RoomMember {
  readonly username: string
  /** Tells the member that `username` joined or left the room of project `projectId`. */
  presence (projectId: number, change: 'joined' | 'left', username: string): void
}

export interface RoomsOptions {
  /** The seats of every instance on the database. */
  presence: PresenceRepository
  /** Tells the listener whenever seats were taken or given up (on any instance, where the database tells). */
  onChanged: (listener: () => void) => () => void
  /** How often this instance pushes its seats' expiry on and looks again (WS_PING_INTERVAL_MS); a seat not pushed on for three times this is nobody's. */
  refreshMs: number
  log: FastifyBaseLogger
}

/**
 * The project rooms, by project id, and who is in each on every instance.
 * This instance takes a seat for a user in a room with their first socket
 * in it here and gives it up with their last; presence is the users with a
 * seat anywhere. Whenever seats change, each member is told the difference
 * from what it was told before: a second tab, or the same user on another
 * instance, is not news. An instance that dies stops pushing its seats'
 * expiry on, and the others tell its users `left` once they expire.
 *
 * Presence is best effort: a database that fails here is logged, and the
 * rooms go on with what they know.
 */
export class Rooms {
  readonly #options: RoomsOptions
  readonly #instance = randomUUID()
  /** Each room's members here, with who each was last told is there. */
  readonly #rooms = new Map<number, Map<RoomMember, Set<string>>>()
  readonly #stopListening: () => void
  readonly #refreshing: NodeJS.Timeout
  #looking: Promise<void> | undefined
  #lookAgain = false
  // This instance's seats are taken and given up one at a time, in order: a seat given up as it is taken stays given up.
  #writing: Promise<void> = Promise.resolve()
  // Members whose join has not yet read who is there: they learn it from its answer.
  readonly #joining = new WeakSet<RoomMember>()
  #closed = false

  constructor (options: RoomsOptions) {
    this.#options = options
    this.#stopListening = options.onChanged(() => this.#look())
    this.#refreshing = setInterval(() => {
      if (this.#rooms.size === 0) return
      const now = Date.now()
      this.#options.presence.refresh(this.#instance, this.#expiry(now), now)
        .catch((error: unknown) => this.#failed(error))
        .finally(() => this.#look())
    }, options.refreshMs)
  }

  /** Puts the member in the project's room; answers who is there, the member included, each user once. */
  async join (projectId: number, member: RoomMember): Promise<string[]> {
    let room = this.#rooms.get(projectId)
    if (room === undefined) {
      room = new Map()
      this.#rooms.set(projectId, room)
    }
    const first = !this.#seated(room, member.username)
    // In the room at once (a leave while the seat is taken finds it); told of the others once joining has read who they are.
    room.set(member, new Set([member.username]))
    this.#joining.add(member)
    if (first) await this.#write(async (presence) => presence.enter({ instance: this.#instance, projectId, username: member.username }, this.#expiry(Date.now())))
    const present = await this.#options.presence.present([projectId], Date.now())
      .then((found) => found.get(projectId) ?? new Set<string>(), (error: unknown) => {
        this.#failed(error)
        return new Set<string>()
      })
    for (const other of room.keys()) present.add(other.username)
    present.add(member.username)
    if (room.has(member)) room.set(member, present)
    this.#joining.delete(member)
    return [...present].sort()
  }

  /** Takes the member out of the project's room, if it was there. */
  leave (projectId: number, member: RoomMember): void {
    const room = this.#rooms.get(projectId)
    if (room === undefined || !room.delete(member)) return
    if (room.size === 0) this.#rooms.delete(projectId)
    if (this.#closed || (room.size > 0 && this.#seated(room, member.username))) return
    void this.#write(async (presence) => presence.leave({ instance: this.#instance, projectId, username: member.username }))
  }

  /** Stops looking, and gives up this instance's seats. */
  async close (): Promise<void> {
    this.#closed = true
    clearInterval(this.#refreshing)
    this.#stopListening()
    await Promise.all([this.#looking, this.#writing])
    await this.#options.presence.leaveAll(this.#instance).catch((error: unknown) => this.#failed(error))
  }

  /** Runs a write of this instance's seats after those before it; a failure is logged. */
  #write (work: (presence: PresenceRepository) => Promise<void>): Promise<void> {
    this.#writing = this.#writing.then(async () => work(this.#options.presence)).catch((error: unknown) => this.#failed(error))
    return this.#writing
  }

  #seated (room: Map<RoomMember, Set<string>>, username: string): boolean {
    for (const other of room.keys()) if (other.username === username) return true
    return false
  }

  #expiry (now: number): number {
    return now + 3 * this.#options.refreshMs
  }

  #failed (error: unknown): void {
    this.#options.log.warn({ err: error }, 'presence in the live feed\'s rooms could not be kept up to date: it goes on with what it knows')
  }

  /** Reads who is in the rooms with members here, and tells each member the difference (one read at a time; one more if asked meanwhile). */
  #look (): void {
    if (this.#looking !== undefined) {
      this.#lookAgain = true
      return
    }
    this.#looking = (async () => {
      do {
        this.#lookAgain = false
        const present = await this.#options.presence.present([...this.#rooms.keys()], Date.now())
        for (const [projectId, room] of this.#rooms) {
          const now = present.get(projectId) ?? new Set<string>()
          // Those with a socket here are there, whatever the read said (it may be older than their seat).
          for (const member of room.keys()) now.add(member.username)
          for (const [member, told] of room) if (!this.#joining.has(member)) this.#tell(member, projectId, told, now)
        }
      } while (this.#lookAgain)
    })().catch((error: unknown) => this.#failed(error)).finally(() => {
      this.#looking = undefined
      if (this.#lookAgain) this.#look()
    })
  }

  #tell (member: RoomMember, projectId: number, told: Set<string>, now: ReadonlySet<string>): void {
    for (const username of now) {
      if (told.has(username)) continue
      told.add(username)
      member.presence(projectId, 'joined', username)
    }
    for (const username of told) {
      if (now.has(username)) continue
      told.delete(username)
      member.presence(projectId, 'left', username)
    }
  }
}
