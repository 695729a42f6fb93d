-- Written by hand: drizzle-kit rebuilds the table to add a CHECK, which would
-- drop tasks while attachments and comments refer to them. SQLite
-- adds a column with a CHECK in place (testing the rows there are, all null
-- here), and a column's CHECK may name the other columns: they are the same
-- constraints as the schema's. The expression indexes are written whole
-- (drizzle-kit splits them at their commas).
ALTER TABLE `tasks` ADD `due_at` integer;--> statement-breakpoint
ALTER TABLE `tasks` ADD `location_name` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `location_latitude` real CONSTRAINT "tasks_location_latitude_range" CHECK("location_latitude" BETWEEN -90 AND 90);--> statement-breakpoint
ALTER TABLE `tasks` ADD `location_longitude` real CONSTRAINT "tasks_location_longitude_range" CHECK("location_longitude" BETWEEN -180 AND 180)
  CONSTRAINT "tasks_location_whole" CHECK(("location_latitude" IS NULL) = ("location_longitude" IS NULL) AND ("location_name" IS NULL OR "location_latitude" IS NOT NULL));--> statement-breakpoint
CREATE INDEX `tasks_due_asc_idx` ON `tasks` (coalesce("due_at", 9007199254740991),`id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `tasks_due_desc_idx` ON `tasks` (coalesce("due_at", -9007199254740991),`id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `tasks_status_due_asc_idx` ON `tasks` (`status`,coalesce("due_at", 9007199254740991),`id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `tasks_status_due_desc_idx` ON `tasks` (`status`,coalesce("due_at", -9007199254740991),`id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `tasks_priority_due_asc_idx` ON `tasks` (`priority`,coalesce("due_at", 9007199254740991),`id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `tasks_priority_due_desc_idx` ON `tasks` (`priority`,coalesce("due_at", -9007199254740991),`id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `tasks_status_priority_due_asc_idx` ON `tasks` (`status`,`priority`,coalesce("due_at", 9007199254740991),`id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `tasks_status_priority_due_desc_idx` ON `tasks` (`status`,`priority`,coalesce("due_at", -9007199254740991),`id`,`deleted_at`);
