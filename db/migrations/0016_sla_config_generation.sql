-- A counter of changes to the SLA configuration (calendars, their days and years, SLA policies), bumped by
-- the database itself after every statement that writes one of those tables — whoever runs it: the API,
-- a migration, a seed or an administrator at psql. An API process keeps the policies and calendars it
-- snapshots at intake in memory and reads only this number (with the case number, in the same statement)
-- to know whether they still hold (db/sla-store.ts, SlaSnapshots).
CREATE TABLE "sla_config_generation" (
  "id" boolean PRIMARY KEY DEFAULT true CHECK ("id"),
  "generation" bigint NOT NULL
);
--> statement-breakpoint
INSERT INTO "sla_config_generation" ("id", "generation") VALUES (true, 1);
--> statement-breakpoint
CREATE FUNCTION "bump_sla_config_generation"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "sla_config_generation" SET "generation" = "generation" + 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "calendars_bump_sla_config" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "calendars"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_sla_config_generation"();
--> statement-breakpoint
CREATE TRIGGER "calendar_days_bump_sla_config" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "calendar_days"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_sla_config_generation"();
--> statement-breakpoint
CREATE TRIGGER "calendar_years_bump_sla_config" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "calendar_years"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_sla_config_generation"();
--> statement-breakpoint
CREATE TRIGGER "sla_policies_bump_sla_config" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "sla_policies"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_sla_config_generation"();
