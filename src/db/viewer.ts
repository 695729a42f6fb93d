/**
 * Who a read or a write is for. What they may see is part of every query the
 * repositories make for them, never a check after a row was read: an admin
 * sees everything; anyone else their own tasks outside projects, and the
 * projects they are a member of with their tasks.
 */
export interface Viewer {
  userId: number
  /** Written as the creator of what they create. */
  username: string
  admin: boolean
}
