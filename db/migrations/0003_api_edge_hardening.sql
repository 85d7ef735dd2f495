-- A help desk's ticket reference belongs to the help desk that sent it (the API key that opened the
-- case): the same system and ticket id from two keys are two tickets. Lookups by reference alone keep
-- an index of their own.
DROP INDEX IF EXISTS "cases_external_ref_uq";--> statement-breakpoint
CREATE UNIQUE INDEX "cases_external_ref_uq" ON "cases" USING btree (coalesce("created_by_key", ''),"external_system","external_id") WHERE "external_system" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "cases_external_ref_idx" ON "cases" USING btree ("external_system","external_id");--> statement-breakpoint
-- The client's own X-Request-Id, kept beside the id the API generates.
ALTER TABLE "audit_log" ADD COLUMN "client_request_id" text;
