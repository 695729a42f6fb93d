-- Search: a trigram index over title and description finds the tasks that
-- can contain a search term of 3 or more characters without reading every
-- row; the exact, case-insensitive substring match is then checked on them.
-- detail='none' keeps only which tasks hold each trigram (no positions):
-- the smallest index that can answer that question.
CREATE VIRTUAL TABLE `tasks_search` USING fts5(
	title, description,
	content = 'tasks', content_rowid = 'id',
	tokenize = 'trigram', detail = 'none'
);
--> statement-breakpoint
INSERT INTO `tasks_search` (`tasks_search`) VALUES ('rebuild');
--> statement-breakpoint
CREATE TRIGGER `tasks_search_after_insert` AFTER INSERT ON `tasks` BEGIN
	INSERT INTO `tasks_search` (rowid, title, description) VALUES (new.id, new.title, new.description);
END;
--> statement-breakpoint
CREATE TRIGGER `tasks_search_after_delete` AFTER DELETE ON `tasks` BEGIN
	INSERT INTO `tasks_search` (`tasks_search`, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
END;
--> statement-breakpoint
CREATE TRIGGER `tasks_search_after_update` AFTER UPDATE OF title, description ON `tasks`
WHEN old.title IS NOT new.title OR old.description IS NOT new.description BEGIN
	INSERT INTO `tasks_search` (`tasks_search`, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
	INSERT INTO `tasks_search` (rowid, title, description) VALUES (new.id, new.title, new.description);
END;
--> statement-breakpoint
-- Counts: one row per status, priority and deleted state, so the total of a
-- list is a sum of at most 40 numbers instead of a count over the table.
INSERT INTO `task_counts` (status, priority, deleted, total)
	SELECT status, priority, deleted_at IS NOT NULL, count(*) FROM `tasks` GROUP BY 1, 2, 3;
--> statement-breakpoint
CREATE TRIGGER `task_counts_after_insert` AFTER INSERT ON `tasks` BEGIN
	INSERT INTO `task_counts` (status, priority, deleted, total) VALUES (new.status, new.priority, new.deleted_at IS NOT NULL, 1)
	ON CONFLICT DO UPDATE SET total = total + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `task_counts_after_delete` AFTER DELETE ON `tasks` BEGIN
	UPDATE `task_counts` SET total = total - 1
	WHERE status = old.status AND priority = old.priority AND deleted = (old.deleted_at IS NOT NULL);
END;
--> statement-breakpoint
CREATE TRIGGER `task_counts_after_update` AFTER UPDATE OF status, priority, deleted_at ON `tasks`
WHEN old.status IS NOT new.status OR old.priority IS NOT new.priority OR (old.deleted_at IS NULL) IS NOT (new.deleted_at IS NULL) BEGIN
	UPDATE `task_counts` SET total = total - 1
	WHERE status = old.status AND priority = old.priority AND deleted = (old.deleted_at IS NOT NULL);
	INSERT INTO `task_counts` (status, priority, deleted, total) VALUES (new.status, new.priority, new.deleted_at IS NOT NULL, 1)
	ON CONFLICT DO UPDATE SET total = total + 1;
END;
