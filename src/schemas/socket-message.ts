import { Type, type Static } from '@sinclair/typebox'
import { Comment, CommentCreate } from './comment.js'
import { FeedEvent } from './event.js'
import { Slug } from './project.js'
import { TaskId } from './task.js'
import { Ref, StringEnum } from './type-helpers.js'
import { Username } from './user.js'

/** The largest message the feed reads: a bigger one gets an error, and the next closes the socket with 1009. */
export const SOCKET_MESSAGE_MAX_BYTES = 64 * 1024

const EventSeq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'An event\'s place in the change log (its `id`).' })
const Reference = Type.String({ minLength: 1, maxLength: 64, description: 'Any text of the client\'s, sent back in the answer (acknowledgement or error) to this message.' })

export const SubscribeMessage = Type.Object({
  type: Type.Literal('subscribe'),
  project: { ...Slug, description: 'The project (slug) whose task events, comments and presence to follow.' },
  ref: Type.Optional(Reference)
}, { $id: 'SubscribeMessage', title: 'SubscribeMessage', description: 'Joins a project\'s room: its events from now on (or from `resume`), and who else is there.', additionalProperties: false })

export const UnsubscribeMessage = Type.Object({
  type: Type.Literal('unsubscribe'),
  project: Slug,
  ref: Type.Optional(Reference)
}, { $id: 'UnsubscribeMessage', title: 'UnsubscribeMessage', description: 'Leaves a project\'s room.', additionalProperties: false })

export const ResumeMessage = Type.Object({
  type: Type.Literal('resume'),
  after: EventSeq,
  ref: Type.Optional(Reference)
}, { $id: 'ResumeMessage', title: 'ResumeMessage', description: 'Sends again every event of the rooms joined just after this one, in order, then goes on live: each event exactly once.', additionalProperties: false })

export const CommentMessage = Type.Object({
  type: Type.Literal('comment'),
  task_id: TaskId,
  body: CommentCreate.properties.body,
  ref: Type.Optional(Reference)
}, { $id: 'CommentMessage', title: 'CommentMessage', description: 'Comments on a task, as POST /tasks/{task_id}/comments does: answered with a `comment.ack`; everyone else who sees the task gets `comment.created`.', additionalProperties: false })

/** The messages a client sends on GET /ws, each JSON text of at most 64 KiB. */
export const CLIENT_MESSAGES = [SubscribeMessage, UnsubscribeMessage, ResumeMessage, CommentMessage]
export type ClientMessage = Static<typeof SubscribeMessage> | Static<typeof UnsubscribeMessage> | Static<typeof ResumeMessage> | Static<typeof CommentMessage>

const Echoed = Type.Optional({ ...Reference, description: 'The `ref` of the message this answers, when it had one.' })

export const ReadyMessage = Type.Object({
  type: Type.Literal('ready'),
  user: Username,
  after: { ...EventSeq, description: 'Where the feed starts: the newest event now. Events after it, of the rooms you join, follow.' }
}, { $id: 'ReadyMessage', title: 'ReadyMessage', description: 'The first message on a new socket.', additionalProperties: false })

export const SubscribedMessage = Type.Object({
  type: Type.Literal('subscribed'),
  project: { ...Slug, description: 'The project joined (its slug now, if you asked by an old one).' },
  present: Type.Array(Username, { description: 'Who is in the room now (on this instance), you included, each once.' }),
  after: { ...EventSeq, description: 'The feed\'s place: the project\'s events after it follow.' },
  ref: Echoed
}, { $id: 'SubscribedMessage', title: 'SubscribedMessage', additionalProperties: false })

export const UnsubscribedMessage = Type.Object({
  type: Type.Literal('unsubscribed'),
  project: Slug,
  ref: Echoed
}, { $id: 'UnsubscribedMessage', title: 'UnsubscribedMessage', description: 'You left the room: asked, or you may no longer see the project (a renamed project is left and joined again by its new slug).', additionalProperties: false })

export const ResumedMessage = Type.Object({
  type: Type.Literal('resumed'),
  after: EventSeq,
  ref: Echoed
}, { $id: 'ResumedMessage', title: 'ResumedMessage', description: 'The events after `after` follow, in order.', additionalProperties: false })

export const EventMessage = Type.Object({
  id: EventSeq,
  type: Ref(FeedEvent),
  timestamp: Type.String({ format: 'date-time' }),
  data: Type.Unknown({ description: 'The task as the change left it (a Task), or for `comment.created` the comment (a Comment).' })
}, { $id: 'EventMessage', title: 'EventMessage', description: 'An event of the change log, as GET /events sends it (`data:`) with its `id`: resume after the last `id` you got.', additionalProperties: false })

export const ResetMessage = Type.Object({
  type: Type.Literal('reset'),
  id: EventSeq,
  detail: Type.String()
}, { $id: 'ResetMessage', title: 'ResetMessage', description: 'The events after the one you resumed from were forgotten (EVENT_RETENTION_MS): reload, then go on from `id`.', additionalProperties: false })

export const PresenceMessage = Type.Object({
  type: StringEnum(['presence.joined', 'presence.left']),
  project: Slug,
  user: Username
}, { $id: 'PresenceMessage', title: 'PresenceMessage', description: 'Someone joined a room you are in (their first socket in it), or left it (their last socket: unsubscribed, closed, or lost and not answering pings).', additionalProperties: false })

export const CommentAckMessage = Type.Object({
  type: Type.Literal('comment.ack'),
  id: { ...EventSeq, description: 'The `comment.created` event of the comment, which this socket is not sent.' },
  comment: Ref(Comment),
  ref: Echoed
}, { $id: 'CommentAckMessage', title: 'CommentAckMessage', description: 'Your comment was stored.', additionalProperties: false })

export const ErrorMessage = Type.Object({
  type: Type.Literal('error'),
  error: Type.String({ description: '`invalid-message` (not JSON, unknown type, or a field wrong: see `errors`), `message-too-large` (over 64 KiB), `project-not-found`, `task-not-found`, `forbidden`, `insufficient-scope`, `invalid-token`, `storage-unavailable`. The second invalid message closes the socket with 1007, the second too large one with 1009.' }),
  detail: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ detail: Type.String(), pointer: Type.Optional(Type.String()) }))),
  ref: Echoed
}, { $id: 'ErrorMessage', title: 'ErrorMessage', additionalProperties: false })

/** The messages the server sends on GET /ws. */
export const SERVER_MESSAGES = [ReadyMessage, SubscribedMessage, UnsubscribedMessage, ResumedMessage, EventMessage, ResetMessage, PresenceMessage, CommentAckMessage, ErrorMessage]

export const SocketTicket = Type.Object({
  ticket: Type.String({ description: 'Opens one WebSocket as you: `GET /ws?ticket=...`, within `expires_in` seconds.' }),
  expires_in: Type.Integer({ minimum: 1, description: 'Seconds the ticket is good for.' })
}, { $id: 'SocketTicket', title: 'SocketTicket', additionalProperties: false })

export const SocketQuery = Type.Object({
  ticket: Type.Optional(Type.String({ maxLength: 4096, description: 'A ticket from POST /ws/tickets, for clients that cannot send headers (browsers).' }))
}, { additionalProperties: false })
