CREATE TABLE "room_presence" (
	"instance_id" text NOT NULL,
	"project_id" bigint NOT NULL,
	"username" text NOT NULL,
	"expires_at" bigint NOT NULL,
	CONSTRAINT "room_presence_project_id_username_instance_id_pk" PRIMARY KEY("project_id","username","instance_id")
);
--> statement-breakpoint
CREATE INDEX "room_presence_instance_idx" ON "room_presence" USING btree ("instance_id");