/** Someone in a room: a WebSocket of the feed, told when others come and go. */
export interface RoomMember {
  readonly username: string
  /** Tells the member that `username` joined or left the room of `project`. */
  presence (project: string, change: 'joined' | 'left', username: string): void
}

/**
 * The project rooms of this instance: who follows each project's feed now.
 * Presence is by user: someone joins with their first socket in a room and
 * leaves with their last, so a second browser tab is not news.
 */
export class Rooms {
  readonly #rooms = new Map<string, Set<RoomMember>>()

  /** Puts the member in the project's room; answers who is there (the member included), each user once. */
  join (project: string, member: RoomMember): string[] {
    let room = this.#rooms.get(project)
    if (room === undefined) {
      room = new Set()
      this.#rooms.set(project, room)
    }
    if (!room.has(member)) {
      const news = !this.#present(room, member.username)
      room.add(member)
      if (news) this.#tell(room, member, project, 'joined')
    }
    return [...new Set([...room].map(({ username }) => username))].sort()
  }

  /** Takes the member out of the project's room, if it was there. */
  leave (project: string, member: RoomMember): void {
    const room = this.#rooms.get(project)
    if (room === undefined || !room.delete(member)) return
    if (room.size === 0) this.#rooms.delete(project)
    else if (!this.#present(room, member.username)) this.#tell(room, member, project, 'left')
  }

  #present (room: Set<RoomMember>, username: string): boolean {
    for (const other of room) if (other.username === username) return true
    return false
  }

  #tell (room: Set<RoomMember>, member: RoomMember, project: string, change: 'joined' | 'left'): void {
    for (const other of room) if (other !== member) other.presence(project, change, member.username)
  }
}
