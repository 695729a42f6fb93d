import type { Member, Project, ProjectRole } from '../schemas/project.js'
import { isoTimestamp } from './iso-timestamp.js'

/** A project as either database's repository reads it: its row, with the viewer's role (null when not a member). */
export interface ProjectRow {
  id: number
  slug: string
  name: string
  description: string | null
  createdAt: number
  updatedAt: number
  role: ProjectRole | null
}

/** What the API shows of a project: never its internal id. */
export function shownProject (row: ProjectRow): Project {
  return {
    slug: row.slug,
    name: row.name,
    description: row.description,
    role: row.role,
    created_at: isoTimestamp(row.createdAt),
    updated_at: isoTimestamp(row.updatedAt)
  }
}

/** What the API shows of a member: their user's username and name, and their role in the project. */
export function shownMember ({ username, displayName, role }: { username: string, displayName: string, role: ProjectRole }): Member {
  return { username, display_name: displayName, role }
}
