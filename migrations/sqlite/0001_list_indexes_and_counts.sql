CREATE TABLE `task_counts` (
	`status` text NOT NULL,
	`priority` integer NOT NULL,
	`deleted` integer NOT NULL,
	`total` integer NOT NULL,
	PRIMARY KEY(`status`, `priority`, `deleted`)
);
--> statement-breakpoint
DROP INDEX `tasks_created_at_id_idx`;--> statement-breakpoint
DROP INDEX `tasks_priority_id_idx`;--> statement-breakpoint
DROP INDEX `tasks_title_id_idx`;--> statement-breakpoint
DROP INDEX `tasks_status_idx`;--> statement-breakpoint
CREATE INDEX `tasks_created_at_idx` ON `tasks` (`created_at`,`id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `tasks_status_created_at_idx` ON `tasks` (`status`,`created_at`,`id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `tasks_priority_created_at_idx` ON `tasks` (`priority`,`created_at`,`id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `tasks_status_priority_created_at_idx` ON `tasks` (`status`,`priority`,`created_at`,`id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `tasks_title_idx` ON `tasks` (`title`,`id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `tasks_status_title_idx` ON `tasks` (`status`,`title`,`id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `tasks_priority_title_idx` ON `tasks` (`priority`,`title`,`id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `tasks_status_priority_title_idx` ON `tasks` (`status`,`priority`,`title`,`id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `tasks_priority_idx` ON `tasks` (`priority`,`id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `tasks_status_priority_idx` ON `tasks` (`status`,`priority`,`id`,`deleted_at`);