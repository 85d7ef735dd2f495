// temporary diagnostic (to be deleted)
import { Client, Connection } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { connectDb } from '../db/client.js';
import { loadSlaSnapshot } from '../db/sla-store.js';
import { cpuPercent, cpuSnapshot } from './support/cpu.js';
import { startStack } from './support/stack.js';
import { pool } from './support/stats.js';

const stack = await startStack({
  keep: true,
  log: console.log,
  temporalArgs: (process.env.TARGS ?? '').split(' ').filter(Boolean),
});
console.log(stack.dir);
try {
  const db = connectDb(stack.databaseUrl, { max: 10 });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });
  const time = async (label: string, n: number, c: number, f: (i: number) => Promise<unknown>) => {
    const s = cpuSnapshot(stack.pids);
    const t = Date.now();
    await pool(n, c, async (i) => {
      await f(i);
    });
    const ms = Date.now() - t;
    console.log(
      label,
      n,
      'in',
      ms,
      'ms =',
      ((n / ms) * 1000).toFixed(0),
      '/s',
      JSON.stringify(cpuPercent(s, cpuSnapshot(stack.pids))),
    );
  };
  await time('select 1', 500, 50, () => db.db.execute(sql`select 1`));
  await time('loadSlaSnapshot', 300, 50, () => loadSlaSnapshot(db.db, { severity: 'normal' }, new Date()));
  await time('tx 2 inserts', 300, 50, (i) =>
    db.db.transaction(async (tx) => {
      await tx.execute(sql`select nextval('case_number_seq')`);
      await tx.execute(sql`select 1`);
    }),
  );
  await time('wf start (no worker for type)', 300, 50, (i) =>
    client.workflow.start('nothing', { workflowId: `x-${i}`, taskQueue: 'nobody', args: [] }),
  );
  await time('wf start seq', 50, 1, (i) =>
    client.workflow.start('nothing', { workflowId: `y-${i}`, taskQueue: 'nobody', args: [] }),
  );
  await connection.close();
  await db.close();
} finally {
  await stack.stop();
}
