import type { TaskNotification } from './task-notification.js'

/** An email as it is sent: a subject, a plain-text body and the same in HTML. */
export interface RenderedEmail {
  subject: string
  text: string
  html: string
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' }
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] as string)

/**
 * The email of a notification: the task's title, who changed it and a link
 * to it (`taskUrl`). Everything a user wrote is escaped in the HTML part.
 */
export function renderTaskEmail ({ reason, task, by }: TaskNotification, taskUrl: string): RenderedEmail {
  const what = reason === 'completed' ? `${by} marked it done` : `${by} assigned it to ${task.assignee ?? 'you'}`
  const subject = reason === 'completed' ? `Done: ${task.title}` : `Assigned to you: ${task.title}`
  const facts: Array<[string, string]> = [
    ['Status', task.status],
    ['Project', task.project ?? '(none)'],
    ['Assignee', task.assignee ?? '(nobody)']
  ]
  const text = [
    `${task.title}`,
    '',
    `${what}.`,
    '',
    ...facts.map(([name, value]) => `${name}: ${value}`),
    '',
    `Open it: ${taskUrl}`,
    ''
  ].join('\n')
  const html = [
    '<!doctype html>',
    `<html><body><h1>${escapeHtml(task.title)}</h1>`,
    `<p>${escapeHtml(what)}.</p>`,
    `<table>${facts.map(([name, value]) => `<tr><th align="left">${name}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>`,
    `<p><a href="${escapeHtml(taskUrl)}">Open the task</a></p>`,
    '</body></html>'
  ].join('\n')
  return { subject, text, html }
}
