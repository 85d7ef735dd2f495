-- Spare parts (备件): catalogue, warehouses, suppliers, a stock ledger with reservations, parts requests
-- of cases and the purchases behind them. The invariants of stock live here, not only in the code:
-- a balance row per (part, warehouse) is changed only under its row lock, in the transaction that
-- appends the movement, and its CHECK constraints refuse a negative on-hand or available quantity.
CREATE TABLE "parts" (
  "part_number" text PRIMARY KEY CHECK ("part_number" ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$'),
  "name" text NOT NULL,
  "unit" text NOT NULL DEFAULT 'pcs',
  "standard_cost" numeric(14, 2) NOT NULL CHECK ("standard_cost" >= 0),
  "compatible_models" text[] NOT NULL DEFAULT '{}',
  "serial_tracked" boolean NOT NULL DEFAULT false,
  "reorder_point" integer NOT NULL DEFAULT 0 CHECK ("reorder_point" >= 0),
  "reorder_quantity" integer NOT NULL DEFAULT 0 CHECK ("reorder_quantity" >= 0),
  "created_at" timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE TABLE "warehouses" (
  "id" text PRIMARY KEY CHECK ("id" ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  "name" text NOT NULL,
  "kind" text NOT NULL CHECK ("kind" IN ('central', 'van')),
  "engineer" text,
  -- Reservations take from the lowest first ("nearest warehouse first").
  "priority" integer NOT NULL DEFAULT 100,
  "created_at" timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE TABLE "suppliers" (
  "id" text PRIMARY KEY CHECK ("id" ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  "name" text NOT NULL,
  "contact" jsonb NOT NULL DEFAULT '{}'::jsonb,
  "status" text NOT NULL DEFAULT 'qualified' CHECK ("status" IN ('qualified', 'suspended')),
  "created_at" timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE TABLE "supplier_parts" (
  "supplier_id" text NOT NULL REFERENCES "suppliers"("id"),
  "part_number" text NOT NULL REFERENCES "parts"("part_number"),
  "price" numeric(14, 2) NOT NULL CHECK ("price" >= 0),
  "lead_time_days" numeric(8, 2) NOT NULL CHECK ("lead_time_days" >= 0),
  PRIMARY KEY ("supplier_id", "part_number")
);
--> statement-breakpoint
CREATE TABLE "stock_balances" (
  "part_number" text NOT NULL REFERENCES "parts"("part_number"),
  "warehouse_id" text NOT NULL REFERENCES "warehouses"("id"),
  "on_hand" integer NOT NULL DEFAULT 0,
  "reserved" integer NOT NULL DEFAULT 0,
  -- Moving weighted average cost of the units on hand (the costing method, docs/parts.md).
  "average_cost" numeric(14, 4) NOT NULL DEFAULT 0,
  "updated_at" timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY ("part_number", "warehouse_id"),
  CONSTRAINT "stock_on_hand_not_negative" CHECK ("on_hand" >= 0),
  CONSTRAINT "stock_reserved_not_negative" CHECK ("reserved" >= 0),
  CONSTRAINT "stock_available_not_negative" CHECK ("reserved" <= "on_hand")
);
--> statement-breakpoint
CREATE INDEX "stock_balances_warehouse_idx" ON "stock_balances" ("warehouse_id", "part_number");
--> statement-breakpoint
CREATE TABLE "stock_movements" (
  "id" bigserial PRIMARY KEY,
  -- Unique per cause (workflow id + step, or an API Idempotency-Key): a retried step moves nothing twice.
  "key" text NOT NULL UNIQUE,
  "part_number" text NOT NULL REFERENCES "parts"("part_number"),
  "warehouse_id" text NOT NULL REFERENCES "warehouses"("id"),
  "kind" text NOT NULL CHECK ("kind" IN ('receive', 'reserve', 'release', 'issue', 'return_defective', 'return_to_supplier', 'adjust')),
  "quantity" integer NOT NULL CHECK ("quantity" > 0),
  "on_hand_delta" integer NOT NULL,
  "reserved_delta" integer NOT NULL,
  "unit_cost" numeric(14, 4),
  "case_id" text,
  "request_id" text,
  "purchase_order_id" text,
  "serial" text,
  "faulty_serial" text,
  "reason" text,
  "actor" text NOT NULL,
  "at" timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT "stock_movement_adjust_has_reason" CHECK ("kind" <> 'adjust' OR "reason" IS NOT NULL)
);
--> statement-breakpoint
CREATE INDEX "stock_movements_part_idx" ON "stock_movements" ("part_number", "warehouse_id", "id");
--> statement-breakpoint
CREATE INDEX "stock_movements_case_idx" ON "stock_movements" ("case_id") WHERE "case_id" IS NOT NULL;
--> statement-breakpoint
CREATE FUNCTION "stock_movements_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'stock_movements is append-only: correct a movement with another movement';
END $$;
--> statement-breakpoint
CREATE TRIGGER "stock_movements_append_only" BEFORE UPDATE OR DELETE ON "stock_movements"
  FOR EACH ROW EXECUTE FUNCTION "stock_movements_append_only"();
--> statement-breakpoint
CREATE TABLE "parts_requests" (
  "id" text PRIMARY KEY,
  "case_id" text NOT NULL REFERENCES "cases"("id"),
  "workflow_id" text NOT NULL,
  "status" text NOT NULL CHECK ("status" IN ('open', 'reserved', 'issued', 'cancelled')),
  "requested_by" text NOT NULL,
  "cancellation" jsonb,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "updated_at" timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE INDEX "parts_requests_case_idx" ON "parts_requests" ("case_id", "created_at");
--> statement-breakpoint
CREATE TABLE "parts_request_lines" (
  "request_id" text NOT NULL REFERENCES "parts_requests"("id"),
  "line_no" integer NOT NULL,
  "part_number" text NOT NULL REFERENCES "parts"("part_number"),
  "quantity" integer NOT NULL CHECK ("quantity" > 0),
  "reserved" integer NOT NULL DEFAULT 0,
  "issued" integer NOT NULL DEFAULT 0,
  PRIMARY KEY ("request_id", "line_no"),
  CONSTRAINT "request_line_reserved_within" CHECK ("reserved" >= 0 AND "reserved" <= "quantity"),
  CONSTRAINT "request_line_issued_within" CHECK ("issued" >= 0 AND "issued" <= "quantity")
);
--> statement-breakpoint
CREATE TABLE "stock_reservations" (
  "id" bigserial PRIMARY KEY,
  "request_id" text NOT NULL REFERENCES "parts_requests"("id"),
  "line_no" integer NOT NULL,
  "part_number" text NOT NULL REFERENCES "parts"("part_number"),
  "warehouse_id" text NOT NULL REFERENCES "warehouses"("id"),
  "quantity" integer NOT NULL CHECK ("quantity" > 0),
  "status" text NOT NULL DEFAULT 'active' CHECK ("status" IN ('active', 'released', 'issued')),
  "movement_key" text NOT NULL UNIQUE,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "closed_at" timestamptz,
  FOREIGN KEY ("request_id", "line_no") REFERENCES "parts_request_lines"("request_id", "line_no")
);
--> statement-breakpoint
CREATE INDEX "stock_reservations_request_idx" ON "stock_reservations" ("request_id", "status");
--> statement-breakpoint
CREATE SEQUENCE "purchase_number_seq";
--> statement-breakpoint
CREATE TABLE "purchases" (
  "id" text PRIMARY KEY DEFAULT ('PU' || lpad(nextval('purchase_number_seq')::text, 7, '0')),
  "origin" text NOT NULL CHECK ("origin" IN ('request', 'reorder')),
  "request_id" text REFERENCES "parts_requests"("id"),
  "line_no" integer,
  "part_number" text NOT NULL REFERENCES "parts"("part_number"),
  "quantity" integer NOT NULL CHECK ("quantity" > 0),
  "warehouse_id" text NOT NULL REFERENCES "warehouses"("id"),
  "status" text NOT NULL CHECK ("status" IN ('quoting', 'ordering', 'completed', 'cancelled', 'kept_as_stock')),
  "dedupe_key" text NOT NULL UNIQUE,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  "updated_at" timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT "purchase_request_line" CHECK (("origin" = 'request') = ("request_id" IS NOT NULL AND "line_no" IS NOT NULL))
);
--> statement-breakpoint
CREATE INDEX "purchases_status_idx" ON "purchases" ("status", "created_at");
--> statement-breakpoint
CREATE INDEX "purchases_request_idx" ON "purchases" ("request_id");
--> statement-breakpoint
CREATE TABLE "purchase_rfqs" (
  "purchase_id" text NOT NULL REFERENCES "purchases"("id"),
  "supplier_id" text NOT NULL REFERENCES "suppliers"("id"),
  "sent_at" timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY ("purchase_id", "supplier_id")
);
--> statement-breakpoint
CREATE TABLE "purchase_quotes" (
  "purchase_id" text NOT NULL,
  "supplier_id" text NOT NULL,
  "unit_price" numeric(14, 2) NOT NULL CHECK ("unit_price" >= 0),
  "lead_time_ms" bigint NOT NULL CHECK ("lead_time_ms" >= 0),
  "valid_until" timestamptz NOT NULL,
  "entered_by" text NOT NULL,
  "entered_at" timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY ("purchase_id", "supplier_id"),
  -- A quote answers a request for quotes that was sent.
  FOREIGN KEY ("purchase_id", "supplier_id") REFERENCES "purchase_rfqs"("purchase_id", "supplier_id")
);
--> statement-breakpoint
CREATE SEQUENCE "purchase_order_number_seq";
--> statement-breakpoint
CREATE TABLE "purchase_orders" (
  "id" text PRIMARY KEY DEFAULT ('PO' || lpad(nextval('purchase_order_number_seq')::text, 7, '0')),
  "purchase_id" text NOT NULL REFERENCES "purchases"("id"),
  "supplier_id" text NOT NULL REFERENCES "suppliers"("id"),
  "quantity" integer NOT NULL CHECK ("quantity" > 0),
  "unit_price" numeric(14, 2) NOT NULL,
  "lead_time_ms" bigint NOT NULL,
  "status" text NOT NULL CHECK ("status" IN ('awaiting_approval', 'placed', 'received', 'closed', 'cancelled', 'rejected')),
  "comparison" jsonb NOT NULL,
  "approved_by" text,
  "approved_at" timestamptz,
  "placed_at" timestamptz,
  "expected_at" timestamptz,
  "received_quantity" integer NOT NULL DEFAULT 0,
  "passed_quantity" integer NOT NULL DEFAULT 0,
  "failed_quantity" integer NOT NULL DEFAULT 0,
  "cancellation" jsonb,
  "created_by" text NOT NULL,
  "created_at" timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT "po_received_within_ordered" CHECK ("received_quantity" >= 0 AND "received_quantity" <= "quantity"),
  CONSTRAINT "po_inspected_within_received" CHECK ("passed_quantity" >= 0 AND "failed_quantity" >= 0 AND "passed_quantity" + "failed_quantity" <= "received_quantity"),
  CONSTRAINT "po_placed_has_expected" CHECK ("status" IN ('awaiting_approval', 'rejected') OR "status" = 'cancelled' OR "expected_at" IS NOT NULL)
);
--> statement-breakpoint
CREATE INDEX "purchase_orders_purchase_idx" ON "purchase_orders" ("purchase_id");
--> statement-breakpoint
CREATE INDEX "purchase_orders_supplier_idx" ON "purchase_orders" ("supplier_id", "expected_at");
--> statement-breakpoint
-- At most one live order per purchase: a re-order follows a closed or cancelled one.
CREATE UNIQUE INDEX "purchase_orders_one_live" ON "purchase_orders" ("purchase_id") WHERE "status" IN ('awaiting_approval', 'placed', 'received');
--> statement-breakpoint
CREATE TABLE "purchase_receipts" (
  "id" bigserial PRIMARY KEY,
  "purchase_order_id" text NOT NULL REFERENCES "purchase_orders"("id"),
  "quantity" integer NOT NULL CHECK ("quantity" > 0),
  "serials" text[] NOT NULL DEFAULT '{}',
  "received_at" timestamptz NOT NULL DEFAULT now(),
  "received_by" text NOT NULL,
  "inspection" text CHECK ("inspection" IN ('passed', 'failed')),
  "inspection_note" text,
  "inspected_at" timestamptz,
  "inspected_by" text
);
--> statement-breakpoint
CREATE INDEX "purchase_receipts_po_idx" ON "purchase_receipts" ("purchase_order_id");
--> statement-breakpoint
CREATE TABLE "purchase_order_escalations" (
  "purchase_order_id" text NOT NULL REFERENCES "purchase_orders"("id"),
  "level" integer NOT NULL,
  "due_at" timestamptz NOT NULL,
  "fired_at" timestamptz NOT NULL,
  "recipient" text NOT NULL,
  PRIMARY KEY ("purchase_order_id", "level")
);
