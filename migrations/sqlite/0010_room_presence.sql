CREATE TABLE `room_presence` (
	`instance_id` text NOT NULL,
	`project_id` integer NOT NULL,
	`username` text NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `username`, `instance_id`)
);
--> statement-breakpoint
CREATE INDEX `room_presence_instance_idx` ON `room_presence` (`instance_id`);