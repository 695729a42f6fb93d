import type { Database } from '../db/database.js'
import type { Viewer } from '../db/viewer.js'
import type { Project } from '../schemas/project.js'

const PAGE = 100

/** The projects the viewer sees, by slug, every page of them. */
export async function visibleProjects (db: Database, viewer: Viewer): Promise<Project[]> {
  const projects: Project[] = []
  let page
  do {
    page = await db.projects.list(viewer, { limit: PAGE, offset: projects.length })
    projects.push(...page.items)
  } while (page.hasMore)
  return projects
}

/** Whether the viewer may put tasks in (and change the tasks of) this project: an editor, an owner, or an administrator. */
export function writesIn (viewer: Viewer, project: Pick<Project, 'role'>): boolean {
  return viewer.admin || project.role === 'editor' || project.role === 'owner'
}
