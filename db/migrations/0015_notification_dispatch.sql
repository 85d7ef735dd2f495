-- Notifications are delivered by a few long-lived dispatcher workflows instead of one workflow each
-- (activities/notifications/dispatch.ts). A notification names the dispatcher that owns it; each of its
-- deliveries carries the same name and the time it is next due (a retry's backoff, the end of quiet
-- hours, or the lease of a dispatcher delivering it now). Rows from before this migration keep a null
-- dispatcher: the delivery workflows that own them finish them as before.
ALTER TABLE "notifications" ADD COLUMN "dispatcher" text;
--> statement-breakpoint
CREATE INDEX "notifications_unplanned_idx" ON "notifications" ("dispatcher", "created_at") WHERE "sent_at" IS NULL;
--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD COLUMN "dispatcher" text;
--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD COLUMN "due_at" timestamp (3) with time zone;
--> statement-breakpoint
CREATE INDEX "notification_deliveries_due_idx" ON "notification_deliveries" ("dispatcher", "due_at") WHERE "status" IN ('pending', 'deferred') AND "due_at" IS NOT NULL;
