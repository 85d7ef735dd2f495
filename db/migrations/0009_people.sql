-- People and notifications: the staff directory (teams, people, absences, on-call rota), who an
-- escalation reached and why, and the delivery of notifications to people over their channels.
CREATE TABLE "teams" (
	"id" text PRIMARY KEY NOT NULL CHECK ("id" ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
	"name" text NOT NULL,
	"region" text,
	"lead_id" text,
	"auto_assign" boolean DEFAULT false NOT NULL,
	"robots" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "people" (
	"id" text PRIMARY KEY NOT NULL CHECK ("id" ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
	"name" text NOT NULL CHECK (length("name") BETWEEN 1 AND 200),
	"roles" text[] DEFAULT '{}' NOT NULL,
	"team_id" text REFERENCES "teams"("id") ON DELETE SET NULL,
	"region" text,
	"manager_id" text REFERENCES "people"("id") ON DELETE SET NULL CHECK ("manager_id" <> "id"),
	"product_lines" text[] DEFAULT '{}' NOT NULL,
	"models" text[] DEFAULT '{}' NOT NULL,
	"email" text,
	"mobile" text,
	"wecom_id" text,
	"dingtalk_id" text,
	"feishu_id" text,
	"calendar_id" text REFERENCES "calendars"("id") ON DELETE SET NULL,
	"locale" text DEFAULT 'zh' NOT NULL CHECK ("locale" IN ('zh', 'en')),
	"preferences" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_lead_fk" FOREIGN KEY ("lead_id") REFERENCES "people"("id") ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
--> statement-breakpoint
CREATE INDEX "people_team_idx" ON "people" ("team_id");
--> statement-breakpoint
CREATE INDEX "people_roles_idx" ON "people" USING gin ("roles");
--> statement-breakpoint
CREATE TABLE "person_absences" (
	"id" serial PRIMARY KEY NOT NULL,
	"person_id" text NOT NULL REFERENCES "people"("id") ON DELETE CASCADE,
	"starts_at" timestamp (3) with time zone NOT NULL,
	"ends_at" timestamp (3) with time zone NOT NULL,
	"reason" text,
	CHECK ("ends_at" > "starts_at")
);
--> statement-breakpoint
CREATE INDEX "person_absences_person_idx" ON "person_absences" ("person_id", "starts_at");
--> statement-breakpoint
CREATE TABLE "oncall_shifts" (
	"id" serial PRIMARY KEY NOT NULL,
	"person_id" text NOT NULL REFERENCES "people"("id") ON DELETE CASCADE,
	"team_id" text REFERENCES "teams"("id") ON DELETE CASCADE,
	"starts_at" timestamp (3) with time zone NOT NULL,
	"ends_at" timestamp (3) with time zone NOT NULL,
	CHECK ("ends_at" > "starts_at")
);
--> statement-breakpoint
CREATE INDEX "oncall_shifts_at_idx" ON "oncall_shifts" ("starts_at", "ends_at");
--> statement-breakpoint
ALTER TABLE "escalations" ADD COLUMN "notified" jsonb;
--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "dispatched_at" timestamp (3) with time zone;
--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "resolution" jsonb;
--> statement-breakpoint
UPDATE "notifications" SET "dispatched_at" = "sent_at" WHERE "sent_at" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "notifications_undispatched_idx" ON "notifications" ("created_at") WHERE "dispatched_at" IS NULL;
--> statement-breakpoint
CREATE TABLE "notification_deliveries" (
	"id" serial PRIMARY KEY NOT NULL,
	"notification_key" text NOT NULL REFERENCES "notifications"("key") ON DELETE CASCADE,
	"person_id" text NOT NULL REFERENCES "people"("id") ON DELETE CASCADE,
	"reason" text NOT NULL,
	"channels" text[] NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL CHECK ("status" IN ('pending', 'deferred', 'delivered', 'failed')),
	"not_before" timestamp (3) with time zone,
	"channel" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp (3) with time zone,
	CONSTRAINT "notification_deliveries_once_uq" UNIQUE ("notification_key", "person_id")
);
--> statement-breakpoint
CREATE INDEX "notification_deliveries_person_idx" ON "notification_deliveries" ("person_id", "created_at", "id");
--> statement-breakpoint
CREATE TABLE "notification_attempts" (
	"id" serial PRIMARY KEY NOT NULL,
	"delivery_id" integer NOT NULL REFERENCES "notification_deliveries"("id") ON DELETE CASCADE,
	"channel" text NOT NULL,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"ok" boolean NOT NULL,
	"error" text,
	"duration_ms" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "notification_attempts_delivery_idx" ON "notification_attempts" ("delivery_id", "id");
--> statement-breakpoint
CREATE TABLE "inbox_items" (
	"id" serial PRIMARY KEY NOT NULL,
	"person_id" text NOT NULL REFERENCES "people"("id") ON DELETE CASCADE,
	"notification_key" text NOT NULL,
	"kind" text NOT NULL,
	"case_id" text,
	"severity" text,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"read_at" timestamp (3) with time zone,
	CONSTRAINT "inbox_items_once_uq" UNIQUE ("person_id", "notification_key")
);
--> statement-breakpoint
CREATE INDEX "inbox_items_person_idx" ON "inbox_items" ("person_id", "created_at", "id");
