// The database client prepares each statement with parameters once per connection — through Drizzle,
// inside transactions and savepoints too — and reuses it; with preparing turned off (a transaction-mode
// pooler), nothing is prepared. One connection per handle, so pg_prepared_statements (which lists the
// asking session's own) sees everything the handle prepared.
import { sql } from 'drizzle-orm';
import { afterEach, expect, inject, it } from 'vitest';
import { connectDb, type DbHandle } from '../../db/client.js';

let handle: DbHandle | undefined;
afterEach(async () => {
  await handle?.close();
  handle = undefined;
});

/** The statements the handle's one connection has prepared, by text. */
async function prepared(h: DbHandle): Promise<string[]> {
  const rows = await h.db.execute<{ statement: string }>(
    sql`select statement from pg_prepared_statements order by prepare_time`,
  );
  return rows.map((r) => r.statement);
}

const withMarker = (marker: string) => sql`select ${marker}::text as marker, ${1}::int as one`;

it('prepares a statement with parameters once and runs it again without preparing it anew', async () => {
  handle = connectDb(inject('databaseUrl'), { max: 1, prepare: true });
  for (const value of ['a', 'b', 'c']) {
    const [row] = await handle.db.execute<{ marker: string }>(withMarker(value));
    expect(row.marker).toBe(value);
  }
  const statements = await prepared(handle);
  expect(statements.filter((s) => s.includes('as marker'))).toHaveLength(1);
});

it('prepares the statements of a transaction and of a savepoint within it', async () => {
  handle = connectDb(inject('databaseUrl'), { max: 1, prepare: true });
  const rows = await handle.db.transaction(async (tx) => {
    const [outer] = await tx.execute<{ in_transaction: number }>(sql`select ${2}::int as in_transaction`);
    const [inner] = await tx.transaction((sp) =>
      sp.execute<{ in_savepoint: number }>(sql`select ${3}::int as in_savepoint`),
    );
    return [outer, inner];
  });
  expect(rows).toEqual([{ in_transaction: 2 }, { in_savepoint: 3 }]);
  const statements = (await prepared(handle)).join('\n');
  expect(statements).toContain('as in_transaction');
  expect(statements).toContain('as in_savepoint');
});

it('runs a statement without parameters as it is, so a script of several statements still runs', async () => {
  handle = connectDb(inject('databaseUrl'), { max: 1, prepare: true });
  await handle.db.execute(sql.raw('select 1 as first_of_two; select 2 as second_of_two'));
  expect((await prepared(handle)).join('\n')).not.toContain('first_of_two');
});

it('prepares nothing when told not to, as behind a transaction-mode pooler', async () => {
  handle = connectDb(inject('databaseUrl'), { max: 1, prepare: false });
  await handle.db.execute(withMarker('unprepared'));
  await handle.db.transaction((tx) => tx.execute(sql`select ${4}::int as in_transaction`));
  expect(await prepared(handle)).toEqual([]);
});
