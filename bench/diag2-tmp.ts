// temporary diagnostic (to be deleted)
import { spawn } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { connectWhenReady } from '../scripts/setup-temporal.js';
import { cpuPercent, cpuSnapshot } from './support/cpu.js';
import { pool } from './support/stats.js';

const port = 17000 + Math.floor(Math.random() * 1000);
const args = [
  'server',
  'start-dev',
  '--ip',
  '127.0.0.1',
  '--port',
  String(port),
  '--headless',
  '--log-level',
  'warn',
  ...process.argv.slice(2),
];
const p = spawn('/work/main/.tools/bin/temporal', args, { stdio: ['ignore', 'inherit', 'inherit'] });
try {
  const c0 = await connectWhenReady(`127.0.0.1:${port}`);
  await c0.close();
  const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
  const client = new Client({ connection });
  for (const [n, c] of [
    [100, 1],
    [300, 50],
  ]) {
    const s = cpuSnapshot({ temporal: p.pid! });
    const t = Date.now();
    await pool(n, c, async (i) => {
      await client.workflow.start('nothing', { workflowId: `x-${c}-${i}`, taskQueue: 'nobody', args: [] });
    });
    const ms = Date.now() - t;
    console.log(
      args.slice(9).join(' '),
      `conc ${c}:`,
      ((n / ms) * 1000).toFixed(0),
      '/s',
      JSON.stringify(cpuPercent(s, cpuSnapshot({ temporal: p.pid! }))),
    );
  }
  await connection.close();
} finally {
  p.kill('SIGKILL');
}
