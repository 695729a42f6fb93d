CREATE TABLE `task_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`type` text NOT NULL,
	`task_id` integer NOT NULL,
	`project_id` integer,
	`created_by` integer NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `task_events_project_seq_idx` ON `task_events` (`project_id`,`seq`);--> statement-breakpoint
CREATE INDEX `task_events_created_at_idx` ON `task_events` (`created_at`);