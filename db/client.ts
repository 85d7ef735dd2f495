import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.js';

export type Database = ReturnType<typeof drizzle<typeof schema>>;

export interface DbHandle {
  db: Database;
  sql: postgres.Sql;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Connections in the pool (default 10). */
  max?: number;
  /**
   * Prepare each statement with parameters once per connection (default: unless
   * DATABASE_PREPARED_STATEMENTS=false, which a transaction-mode connection pooler in front of
   * PostgreSQL needs).
   */
  prepare?: boolean;
}

export function connectDb(url: string, opts: ConnectOptions = {}): DbHandle {
  const prepare = opts.prepare ?? process.env.DATABASE_PREPARED_STATEMENTS !== 'false';
  const sql = postgres(url, { max: opts.max ?? 10, onnotice: () => {}, prepare });
  const db = drizzle(prepare ? preparing(sql) : sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

type Scope = (sql: postgres.TransactionSql) => unknown;

/**
 * `sql` with its statements prepared: Drizzle asks postgres.js not to prepare any statement it was not
 * given a name for, and postgres.js then sends every statement with parameters in two round trips —
 * Parse and Describe to learn the parameters' types, then Bind and Execute — while PostgreSQL parses and
 * analyses it anew each time. Prepared, a statement is parsed once per connection and then costs one
 * round trip: about half the database's CPU and two thirds of the time for an escalation's statement
 * (bench/README.md, "Tuning"). Statements without parameters stay as they were
 * (they take one round trip already, and a script of several statements cannot be prepared).
 *
 * What postgres.js keeps per connection grows with the distinct statement texts it has run (a list
 * filter's `in (…)` of another length is another text); its connections end after 30–60 minutes
 * (postgres.js's max_lifetime), which bounds that.
 */
function preparing<T extends postgres.Sql | postgres.TransactionSql>(sql: T): T {
  const unsafe = sql.unsafe;
  sql.unsafe = ((query: string, args?: unknown, options?: postgres.UnsafeQueryOptions) =>
    Array.isArray(args) && args.length > 0
      ? unsafe(query, args as postgres.ParameterOrJSON<never>[], { ...options, prepare: true })
      : unsafe(query, args as never, options)) as typeof sql.unsafe;
  // A transaction's statements go through a Sql of its own (and a savepoint's through another).
  const prepared =
    (fn: Scope): Scope =>
    (tx) =>
      fn(preparing(tx));
  if ('begin' in sql) {
    const begin = sql.begin as (options: string, fn: Scope) => Promise<unknown>;
    (sql as postgres.Sql).begin = ((options: string | Scope, fn?: Scope) =>
      typeof options === 'function'
        ? begin('', prepared(options))
        : begin(options, prepared(fn!))) as postgres.Sql['begin'];
  }
  if ('savepoint' in sql) {
    const savepoint = sql.savepoint as (name: string | Scope, fn?: Scope) => Promise<unknown>;
    (sql as postgres.TransactionSql).savepoint = ((name: string | Scope, fn?: Scope) =>
      typeof name === 'function'
        ? savepoint(prepared(name))
        : savepoint(name, prepared(fn!))) as postgres.TransactionSql['savepoint'];
  }
  return sql;
}
