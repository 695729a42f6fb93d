/** A place in a project's room of the live feed, as one instance holds it. */
export interface PresenceSeat {
  /** The instance (a random id each process takes when it starts). */
  instance: string
  projectId: number
  username: string
}

/**
 * Who is in which project's room of the live feed, on every instance that
 * shares the database. Each instance writes its own seats, and pushes their
 * expiry on while it runs: the seats of an instance that died expire.
 */
export interface PresenceRepository {
  /** Takes the seat until `expiresAt` (or pushes its expiry on), and tells every instance. */
  enter (seat: PresenceSeat, expiresAt: number): Promise<void>
  /** Gives the seat up, and tells every instance. */
  leave (seat: PresenceSeat): Promise<void>
  /** Pushes on the expiry of every seat of `instance` to `expiresAt`; forgets everyone's seats expired before `now`, telling every instance if there were any. */
  refresh (instance: string, expiresAt: number, now: number): Promise<void>
  /** Who sits (unexpired at `now`) in the rooms of these projects, by project: each user once. */
  present (projectIds: readonly number[], now: number): Promise<Map<number, Set<string>>>
  /** Gives up every seat of `instance` (it is stopping), and tells every instance. */
  leaveAll (instance: string): Promise<void>
}
