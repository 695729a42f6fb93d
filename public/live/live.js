// The live page: joins a project's room over GET /ws and shows what comes.
// Browsers cannot send headers on a WebSocket, so a ticket from
// POST /ws/tickets (asked for with the token, if one is given) opens it.
// Everything shown is set as text, never as HTML.

const RECONNECT_MS = 2000

const joinForm = document.querySelector('#join')
const commentForm = document.querySelector('#comment')
const status = document.querySelector('#status')
const presentList = document.querySelector('#present')
const eventList = document.querySelector('#events')
const sendButton = commentForm.querySelector('button')

let socket
let project
let token
// The id of the last event shown: after a reconnection the feed resumes just after it.
let lastId
const present = new Set()

joinForm.addEventListener('submit', (event) => {
  event.preventDefault()
  project = joinForm.elements.project.value.trim()
  token = joinForm.elements.token.value.trim()
  lastId = undefined
  if (socket !== undefined) {
    socket.onclose = null
    socket.close()
  }
  connect()
})

commentForm.addEventListener('submit', (event) => {
  event.preventDefault()
  const body = commentForm.elements.body.value
  socket.send(JSON.stringify({ type: 'comment', task_id: Number(commentForm.elements.task_id.value), body, ref: body.slice(0, 64) }))
  commentForm.elements.body.value = ''
})

async function connect () {
  status.textContent = 'Connecting…'
  const response = await fetch('/ws/tickets', { method: 'POST', headers: token === '' ? {} : { authorization: `Bearer ${token}` } })
  const answer = await response.json()
  if (!response.ok) {
    status.textContent = answer.detail
    return
  }
  const url = new URL(`/ws?ticket=${encodeURIComponent(answer.ticket)}`, window.location.href)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  socket = new WebSocket(url, ['task-api'])
  socket.onmessage = (message) => receive(JSON.parse(message.data))
  socket.onclose = (closed) => {
    sendButton.disabled = true
    present.clear()
    showPresent()
    status.textContent = `Disconnected (${closed.code}${closed.reason === '' ? '' : `: ${closed.reason}`}); reconnecting…`
    setTimeout(connect, RECONNECT_MS)
  }
}

function receive (message) {
  switch (message.type) {
    case 'ready':
      socket.send(JSON.stringify({ type: 'subscribe', project }))
      return
    case 'subscribed':
      project = message.project
      if (lastId !== undefined) socket.send(JSON.stringify({ type: 'resume', after: lastId }))
      for (const username of message.present) present.add(username)
      showPresent()
      sendButton.disabled = false
      status.textContent = `Following ${message.project}.`
      return
    case 'presence.joined':
      present.add(message.user)
      showPresent()
      show('presence', `${message.user} joined`)
      return
    case 'presence.left':
      present.delete(message.user)
      showPresent()
      show('presence', `${message.user} left`)
      return
    case 'comment.ack':
      lastId = Math.max(lastId ?? 0, message.id)
      show('comment.created', `you: ${message.comment.body} (task ${message.comment.task_id})`)
      return
    case 'reset':
      lastId = message.id
      show('reset', 'Some events were missed: reload the tasks you show.')
      return
    case 'error':
      show('error', message.detail)
      return
    case 'unsubscribed':
    case 'resumed':
      return
    default:
      lastId = message.id
      show(message.type, message.type === 'comment.created'
        ? `${message.data.author}: ${message.data.body} (task ${message.data.task_id})`
        : `#${message.data.id} ${message.data.title} (${message.data.status})`)
  }
}

function show (kind, text) {
  const item = document.createElement('li')
  const label = document.createElement('span')
  label.className = 'kind'
  label.textContent = kind
  item.append(label, text)
  eventList.prepend(item)
}

function showPresent () {
  presentList.replaceChildren(...[...present].sort().map((username) => {
    const item = document.createElement('li')
    item.textContent = username
    return item
  }))
}
