import type { Member, Project, ProjectRole } from '../schemas/project.js'
import type { Page, PageRequest } from './page.js'
import type { Viewer } from './viewer.js'

export interface NewProject {
  name: string
  description: string | null
  /** The slug asked for, or, when `derived`, the one made from the name: then `-2`, `-3`... is added until it is free. */
  slug: string
  derived: boolean
}

export interface ProjectChanges {
  name?: string | undefined
  slug?: string | undefined
  description?: string | null | undefined
}

/** Why a change to a project or its members did not happen. */
export type ProjectRefusal =
  /** No such project, or the viewer may not see it. */
  | 'not-found'
  /** The viewer sees it but is not an owner (nor an admin). */
  | 'forbidden'
  | 'slug-taken'
  /** A project that still holds tasks that are not deleted cannot be deleted. */
  | 'not-empty'
  | 'user-not-found'
  | 'member-not-found'
  /** A project keeps at least one owner. */
  | 'last-owner'

/** Where to find a project: by its slug, or by an old slug it answers to with a redirect; and its id (never shown), which the live feeds follow it by through renames. */
export type ProjectLookup = { id: number } & ({ project: Project } | { movedTo: string })

/**
 * Projects and their members. Every method takes the viewer: a project they
 * may not see is 'not-found' (or missing from a list), exactly as one that
 * does not exist. Owners (and admins) manage a project and its members.
 */
export interface ProjectRepository {
  create (viewer: Viewer, project: NewProject): Promise<Project | 'slug-taken'>
  /** The projects the viewer can see, by slug. */
  list (viewer: Viewer, page: PageRequest): Promise<Page<Project>>
  find (viewer: Viewer, slug: string): Promise<ProjectLookup | undefined>
  /** Renaming keeps the old slug answering (see `find`); the tasks of the project move `version` and `updated_at`, as their `project` changed. */
  update (viewer: Viewer, slug: string, changes: ProjectChanges): Promise<Project | Extract<ProjectRefusal, 'not-found' | 'forbidden' | 'slug-taken'>>
  /** The project's deleted tasks leave it, to their creators; its tasks that are not deleted refuse it ('not-empty'). */
  delete (viewer: Viewer, slug: string): Promise<true | Extract<ProjectRefusal, 'not-found' | 'forbidden' | 'not-empty'>>
  members (viewer: Viewer, slug: string, page: PageRequest): Promise<Page<Member> | 'not-found'>
  /** Adds the user with `role`, or changes their role (`created` says which). */
  putMember (viewer: Viewer, slug: string, username: string, role: ProjectRole): Promise<{ member: Member, created: boolean } | Extract<ProjectRefusal, 'not-found' | 'forbidden' | 'user-not-found' | 'last-owner'>>
  /** Owners remove anyone; any member may remove themselves (leave). */
  removeMember (viewer: Viewer, slug: string, username: string): Promise<true | Extract<ProjectRefusal, 'not-found' | 'forbidden' | 'member-not-found' | 'last-owner'>>
}
