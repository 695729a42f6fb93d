import { AttachedFiles, Attachment, AttachmentList } from './attachment.js'
import { Comment, CommentCreate, CommentList } from './comment.js'
import { FeedEvent } from './event.js'
import { InboundTask } from './inbound.js'
import { Job, JobKind, JobList, JobState } from './job.js'
import { Delivery, DeliveryList, DeliveryState, SecretRotation, Webhook, WebhookCreate, WebhookEvent, WebhookList, WebhookUpdate, WebhookWithSecret } from './webhook.js'
import { Problem, ProblemFieldError } from './problem.js'
import { CLIENT_MESSAGES, SERVER_MESSAGES, SocketTicket } from './socket-message.js'
import { Member, MemberList, MemberPut, Project, ProjectCreate, ProjectList, ProjectRole, ProjectUpdate } from './project.js'
import { Location, Task, TaskCreate, TaskList, TaskReplace, TaskStatus, TaskUpdate } from './task.js'
import { OAuthError, PersonalToken, PersonalTokenCreate, PersonalTokenCreated, PersonalTokenList, ScopeName, TokenRequest, TokenResponse } from './token.js'
import { Profile, User, UserAdminUpdate, UserCreate, UserList, UserRole, UserUpdate } from './user.js'
import { Weather } from './weather.js'

/**
 * The schemas registered with `fastify.addSchema`: routes reach them by `$ref`
 * and the OpenAPI document lists them as named components.
 */
export const sharedSchemas = [
  TaskStatus, Location, Task, TaskCreate, TaskReplace, TaskUpdate, TaskList, Weather,
  Comment, CommentCreate, CommentList, FeedEvent, Attachment, AttachmentList, AttachedFiles,
  ProjectRole, Project, ProjectCreate, ProjectUpdate, ProjectList, Member, MemberList, MemberPut,
  UserRole, User, UserCreate, UserUpdate, UserAdminUpdate, UserList, Profile,
  ScopeName, TokenRequest, TokenResponse, OAuthError, PersonalTokenCreate, PersonalToken, PersonalTokenCreated, PersonalTokenList,
  JobState, JobKind, Job, JobList, InboundTask,
  WebhookEvent, DeliveryState, Webhook, WebhookWithSecret, WebhookCreate, WebhookUpdate, SecretRotation, WebhookList, Delivery, DeliveryList,
  ...CLIENT_MESSAGES, ...SERVER_MESSAGES, SocketTicket,
  ProblemFieldError, Problem
]
