-- A reorder purchase (proposed by the reorder Schedule) has no case, yet its late purchase order must
-- reach procurement like a case's does. A notification is therefore about a case, a purchase order, or
-- both (a case's late order names both); it is never about nothing.
ALTER TABLE "notifications" ALTER COLUMN "case_id" DROP NOT NULL;
--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "purchase_order_id" text REFERENCES "purchase_orders"("id");
--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_subject_ck"
  CHECK ("case_id" IS NOT NULL OR "purchase_order_id" IS NOT NULL);
--> statement-breakpoint
CREATE INDEX "notifications_purchase_order_idx" ON "notifications" ("purchase_order_id")
  WHERE "purchase_order_id" IS NOT NULL;
