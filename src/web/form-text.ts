/**
 * A field of a parsed form as text: empty when the form did not send it, or
 * sent it more than once (which no page's form does).
 */
export function formText (body: unknown, field: string): string {
  const value = (body as Record<string, unknown> | null | undefined)?.[field]
  return typeof value === 'string' ? value : ''
}
