-- Written by hand: drizzle-kit rebuilds the table to add a CHECK, which would
-- drop users while tasks, tokens and projects refer to it. SQLite adds a
-- column with a CHECK in place (testing the rows there are), and a column's
-- CHECK may name the other columns: it is the same constraint as the schema's.
ALTER TABLE `users` ADD `bio` text;--> statement-breakpoint
ALTER TABLE `users` ADD `avatar_sha256` text;--> statement-breakpoint
ALTER TABLE `users` ADD `avatar_type` text CONSTRAINT "users_avatar_whole" CHECK(("users"."avatar_sha256" IS NULL) = ("users"."avatar_type" IS NULL));--> statement-breakpoint
CREATE INDEX `users_avatar_sha256_idx` ON `users` (`avatar_sha256`);
