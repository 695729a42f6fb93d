ALTER TABLE "tasks" ADD COLUMN "due_at" bigint;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "location_name" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "location_latitude" double precision;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "location_longitude" double precision;--> statement-breakpoint
CREATE INDEX "tasks_due_asc_idx" ON "tasks" USING btree (coalesce("due_at", 9007199254740991),"id","deleted_at");--> statement-breakpoint
CREATE INDEX "tasks_due_desc_idx" ON "tasks" USING btree (coalesce("due_at", -9007199254740991),"id","deleted_at");--> statement-breakpoint
CREATE INDEX "tasks_status_due_asc_idx" ON "tasks" USING btree ("status",coalesce("due_at", 9007199254740991),"id","deleted_at");--> statement-breakpoint
CREATE INDEX "tasks_status_due_desc_idx" ON "tasks" USING btree ("status",coalesce("due_at", -9007199254740991),"id","deleted_at");--> statement-breakpoint
CREATE INDEX "tasks_priority_due_asc_idx" ON "tasks" USING btree ("priority",coalesce("due_at", 9007199254740991),"id","deleted_at");--> statement-breakpoint
CREATE INDEX "tasks_priority_due_desc_idx" ON "tasks" USING btree ("priority",coalesce("due_at", -9007199254740991),"id","deleted_at");--> statement-breakpoint
CREATE INDEX "tasks_status_priority_due_asc_idx" ON "tasks" USING btree ("status","priority",coalesce("due_at", 9007199254740991),"id","deleted_at");--> statement-breakpoint
CREATE INDEX "tasks_status_priority_due_desc_idx" ON "tasks" USING btree ("status","priority",coalesce("due_at", -9007199254740991),"id","deleted_at");--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_location_latitude_range" CHECK ("tasks"."location_latitude" BETWEEN -90 AND 90);--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_location_longitude_range" CHECK ("tasks"."location_longitude" BETWEEN -180 AND 180);--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_location_whole" CHECK (("tasks"."location_latitude" IS NULL) = ("tasks"."location_longitude" IS NULL) AND ("tasks"."location_name" IS NULL OR "tasks"."location_latitude" IS NOT NULL));