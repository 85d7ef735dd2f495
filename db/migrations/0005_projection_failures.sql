-- Transitions the read model could not take as the workflow sent them (text Postgres refuses, a value
-- no retry can store). The workflow records each one here, writes the transition with its text made
-- storable, alerts, and goes on: one bad request must not wedge a case. No foreign key: the case row
-- itself may be what could not be written.
CREATE TABLE "projection_failures" (
	"id" serial PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"seq" integer NOT NULL,
	"activity" text NOT NULL,
	"event_type" text NOT NULL,
	"error_type" text NOT NULL,
	"error_code" text,
	"message" text NOT NULL,
	"repaired" boolean NOT NULL,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "projection_failures_once_uq" ON "projection_failures" USING btree ("case_id","seq","activity");
