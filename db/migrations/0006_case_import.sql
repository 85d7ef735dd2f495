-- Cases carried over from another system (POST /api/v1/cases with "imported": true). Escalation steps
-- already overdue when such a case arrives are recorded as fired but page nobody: `imported` marks them.
ALTER TABLE "cases" ADD COLUMN "imported" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "escalations" ADD COLUMN "imported" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Where the customer is (华东, 华南 …): assignment suggestions rank engineers of that region first, and
-- reports group by it.
ALTER TABLE "cases" ADD COLUMN "customer_region" text;
