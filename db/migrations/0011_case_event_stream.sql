-- The live event stream of the dashboard (docs/dashboard.md) reads the case timeline in commit order.
-- A plain serial id is not enough: ids are handed out when rows are inserted, so a reader can see id 11
-- committed while id 10 is still in flight and skip it for good. Each row therefore also carries the id
-- of the transaction that wrote it (stream_tx); a reader delivers only rows whose transaction is older
-- than every transaction still running (pg_snapshot_xmin), in (stream_tx, stream_id) order, and a
-- position in that order is what a reconnecting client resumes from.
ALTER TABLE "case_events" ADD COLUMN "stream_id" bigint GENERATED ALWAYS AS IDENTITY;
--> statement-breakpoint
ALTER TABLE "case_events" ADD COLUMN "stream_tx" xid8 DEFAULT pg_current_xact_id() NOT NULL;
--> statement-breakpoint
CREATE INDEX "case_events_stream_idx" ON "case_events" USING btree ("stream_tx","stream_id");
--> statement-breakpoint
-- Wakes the API's listeners when a transaction that wrote timeline rows commits (NOTIFY is delivered at
-- commit, and not at all on rollback). Once per statement: the listener reads the rows itself; the
-- payload is the writing transaction, so the listener knows how far the stream must have moved.
CREATE FUNCTION "notify_case_events"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('shouhou_case_events', pg_current_xact_id()::text);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "case_events_notify" AFTER INSERT ON "case_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_case_events"();
--> statement-breakpoint
-- One-use tickets for opening the event stream from a browser (EventSource cannot send headers): issued
-- to an authenticated key, valid for a minute, consumed when a stream opens. Only a hash is kept.
CREATE TABLE "event_stream_tickets" (
	"ticket_hash" text PRIMARY KEY NOT NULL,
	"key_id" text NOT NULL,
	"role" text NOT NULL,
	"person_id" text,
	"name" text NOT NULL,
	"reach" text NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "event_stream_tickets_expiry_idx" ON "event_stream_tickets" USING btree ("expires_at");
