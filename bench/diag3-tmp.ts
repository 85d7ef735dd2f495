// temporary diagnostic (to be deleted)
import { Client, Connection } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { openCase } from '../api/case-intake.js';
import { connectDb } from '../db/client.js';
import { cpuPercent, cpuSnapshot } from './support/cpu.js';
import { startStack } from './support/stack.js';
import { pool } from './support/stats.js';

const targs = (process.env.TARGS ?? '').split(' ').filter(Boolean);
const wenv = Object.fromEntries(
  (process.env.WENV ?? '')
    .split(' ')
    .filter(Boolean)
    .map((kv) => kv.split('=')),
);
const N = Number(process.env.N ?? 600);
const stack = await startStack({
  temporalArgs: targs,
  workerEnv: { WORKER_MAX_CACHED_WORKFLOWS: '20000', ...wenv },
});
try {
  const db = connectDb(stack.databaseUrl, { max: Number(process.env.POOL ?? 10) });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const deps = {
    db: db.db,
    temporal: new Client({ connection }),
    taskQueue: stack.taskQueue,
    timing: { surveyDelayMs: 1e8, surveyExpiryMs: 1e9 },
  };
  let startMs = 0,
    starts = 0;
  const wf = deps.temporal.workflow;
  const orig = wf.start.bind(wf);
  (wf as any).start = async (...a: any[]) => {
    const t0 = performance.now();
    try {
      return await (orig as any)(...a);
    } finally {
      startMs += performance.now() - t0;
      starts++;
    }
  };
  let totalMs = 0;
  const s = cpuSnapshot(stack.pids);
  const t = Date.now();
  await pool(N, Number(process.env.C ?? 50), async (i) => {
    const t0 = performance.now();
    await openCase(deps, {
      channel: 'api',
      customer: { name: 'x' },
      product: { model: 'm', serialNumber: `s${i}` },
      problem: { description: 'd', severity: 'normal' },
      reportedAt: new Date().toISOString(),
    });
    totalMs += performance.now() - t0;
  });
  const ms = Date.now() - t;
  const s2 = cpuSnapshot(stack.pids);
  for (;;) {
    const [r] = await db.db.execute<{ n: string }>(sql`select count(*) n from cases where version >= 1`);
    if (Number(r.n) >= N) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const ms2 = Date.now() - t;
  console.log(
    'worker rss',
    (await import('./support/cpu.js')).rssMiB(stack.pids.worker),
    'pglite',
    (await import('./support/cpu.js')).rssMiB(stack.pids.pglite),
  );
  console.log('avg openCase ms', (totalMs / N).toFixed(1), 'avg start ms', (startMs / starts).toFixed(1));
  console.log(
    JSON.stringify({
      targs: targs.join(' '),
      wenv,
      create: ((N / ms) * 1000).toFixed(1),
      createCpu: cpuPercent(s, s2),
      caughtUp: ((N / ms2) * 1000).toFixed(1),
      allCpu: cpuPercent(s, cpuSnapshot(stack.pids)),
    }),
  );
  await connection.close();
  await db.close();
} finally {
  await stack.stop();
}
