// Applies the committed drizzle-kit migrations, then seeds the default calendar and SLA policy.
// Run: node --import tsx db/migrate.ts
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { loadConfig } from '../config.js';
import { connectDb } from './client.js';
import { seedComplaintDefaults } from './complaint-store.js';
import { seedDefaults } from './sla-store.js';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

export async function runMigrations(databaseUrl: string): Promise<void> {
  const handle = connectDb(databaseUrl, { max: 1 });
  try {
    await migrate(handle.db, { migrationsFolder: MIGRATIONS_FOLDER });
    await seedDefaults(handle.db);
    await seedComplaintDefaults(handle.db);
  } finally {
    await handle.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { databaseUrl } = loadConfig();
  runMigrations(databaseUrl).then(
    () => console.log('migrations applied'),
    (err) => {
      // drizzle wraps the database's error; its cause names what Postgres refused.
      const cause = err?.cause?.message ? ` — ${err.cause.message}` : '';
      console.error(`migration failed: ${err?.message ?? err}${cause}`);
      process.exit(1);
    },
  );
}
