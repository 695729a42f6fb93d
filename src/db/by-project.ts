/** Rows gathered by their project: each project's values, each once (a project's members, who is in its room). */
export function byProject<Row extends { projectId: number }, Value> (rows: readonly Row[], valueOf: (row: Row) => Value): Map<number, Set<Value>> {
  const gathered = new Map<number, Set<Value>>()
  for (const row of rows) {
    const values = gathered.get(row.projectId) ?? new Set()
    values.add(valueOf(row))
    gathered.set(row.projectId, values)
  }
  return gathered
}
