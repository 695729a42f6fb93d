CREATE TABLE `tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`title` text NOT NULL,
	`description` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`priority` integer DEFAULT 2 NOT NULL,
	`assignee` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	CONSTRAINT "tasks_title_length" CHECK(length("tasks"."title") BETWEEN 1 AND 200),
	CONSTRAINT "tasks_status_known" CHECK("tasks"."status" IN ('pending', 'in_progress', 'done', 'cancelled')),
	CONSTRAINT "tasks_priority_range" CHECK("tasks"."priority" BETWEEN 1 AND 5)
);
--> statement-breakpoint
CREATE INDEX `tasks_created_at_id_idx` ON `tasks` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_priority_id_idx` ON `tasks` (`priority`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_title_id_idx` ON `tasks` (`title`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_status_idx` ON `tasks` (`status`);