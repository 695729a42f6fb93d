import t from 'tap'
import { openPostgres } from './open-database.js'

t.test('the migrations leave the search indexes without a pending list and the tasks table vacuumed early', async (t) => {
  const { pool } = await openPostgres(t)
  const { rows } = await pool.query<{ relname: string, reloptions: string[] | null }>(
    `SELECT relname, reloptions FROM pg_class WHERE relnamespace = current_schema()::regnamespace
      AND relname IN ('tasks', 'tasks_title_trigram_idx', 'tasks_description_trigram_idx') ORDER BY relname`)
  t.same(rows, [
    { relname: 'tasks', reloptions: ['autovacuum_vacuum_scale_factor=0.02', 'autovacuum_vacuum_insert_scale_factor=0.02', 'autovacuum_analyze_scale_factor=0.02'] },
    { relname: 'tasks_description_trigram_idx', reloptions: ['fastupdate=false'] },
    { relname: 'tasks_title_trigram_idx', reloptions: ['fastupdate=false'] }
  ])
})

