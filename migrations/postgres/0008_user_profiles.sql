ALTER TABLE "users" ADD COLUMN "bio" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "avatar_sha256" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "avatar_type" text;--> statement-breakpoint
CREATE INDEX "users_avatar_sha256_idx" ON "users" USING btree ("avatar_sha256");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_avatar_whole" CHECK (("users"."avatar_sha256" IS NULL) = ("users"."avatar_type" IS NULL));