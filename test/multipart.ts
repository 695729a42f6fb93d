/** A file part of a multipart/form-data body. */
export interface FilePart {
  /** The part's name; `file` unless said. */
  field?: string
  filename: string
  content: Buffer | string
  /** The Content-Type the part declares: what a client claims, never trusted. */
  type?: string
}

/**
 * A multipart/form-data body and its Content-Type header, encoded by the
 * platform's own FormData (as fetch would send it), for `inject` or a raw
 * request. A string part is a plain field.
 */
export async function multipartBody (parts: readonly (FilePart | { field: string, value: string })[]): Promise<{ payload: Buffer, headers: { 'content-type': string } }> {
  const form = new FormData()
  for (const part of parts) {
    if ('value' in part) form.append(part.field, part.value)
    else form.append(part.field ?? 'file', new Blob([part.content], { type: part.type ?? 'application/octet-stream' }), part.filename)
  }
  const request = new Request('http://localhost/', { method: 'POST', body: form })
  return { payload: Buffer.from(await request.arrayBuffer()), headers: { 'content-type': request.headers.get('content-type') as string } }
}
