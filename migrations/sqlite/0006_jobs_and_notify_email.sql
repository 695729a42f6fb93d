CREATE TABLE `jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`payload` text NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`run_at` integer NOT NULL,
	`lease_expires_at` integer,
	`claimed_by` text,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "jobs_state_known" CHECK("jobs"."state" IN ('pending', 'running', 'done', 'skipped', 'dead'))
);
--> statement-breakpoint
CREATE INDEX `jobs_state_run_at_idx` ON `jobs` (`state`,`run_at`);--> statement-breakpoint
CREATE INDEX `jobs_state_lease_idx` ON `jobs` (`state`,`lease_expires_at`);--> statement-breakpoint
CREATE INDEX `jobs_state_id_idx` ON `jobs` (`state`,`id`);--> statement-breakpoint
CREATE INDEX `jobs_state_updated_at_idx` ON `jobs` (`state`,`updated_at`);--> statement-breakpoint
ALTER TABLE `tasks` ADD `notify_email` text;