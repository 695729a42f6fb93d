-- The trigram indexes take a write's trigrams at once (fastupdate off):
-- with a pending list, every search read through all the trigrams written
-- since the last vacuum (a few thousand title changes doubled a search's
-- time). The list they have is merged into them now. (drizzle-kit would
-- rebuild both indexes for this; ALTER INDEX changes them in place.)
ALTER INDEX "tasks_title_trigram_idx" SET (fastupdate = false);--> statement-breakpoint
ALTER INDEX "tasks_description_trigram_idx" SET (fastupdate = false);--> statement-breakpoint
SELECT gin_clean_pending_list('tasks_title_trigram_idx'::regclass), gin_clean_pending_list('tasks_description_trigram_idx'::regclass);--> statement-breakpoint
-- Vacuumed after 2% of its rows changed or were added rather than 20%: a
-- page's rows are marked visible to all again soon after a write, so a list
-- read from a sort index (an index-only scan) does not visit the table for
-- the tasks it skips or shows.
ALTER TABLE "tasks" SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
