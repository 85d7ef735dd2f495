// Settings `npm start` and the escalation benchmark give the Temporal CLI dev server and the worker
// (bench/README.md, "Tuning"). Plain JavaScript: scripts/start.mjs imports it before node_modules exists.
//  - SQLite in WAL mode with synchronous=NORMAL: 2–3× the workflow starts per second of the stock rollback
//    journal; a crash loses nothing, a power cut at most the last commits, and never corrupts the file.
//  - eager activity execution: an activity scheduled by a workflow task comes back with the task's
//    completion instead of through the task queue (the TypeScript SDK asks for it).
export const TUNED_DEV_SERVER_FLAGS = [
  '--sqlite-pragma',
  'journal_mode=wal',
  '--sqlite-pragma',
  'synchronous=normal',
  '--dynamic-config-value',
  'system.enableActivityEagerExecution=true',
];

// The dev server's Go garbage collector runs when the heap has grown by GOGC %: at the default 100 it
// took a large share of the server's CPU in bursts of escalations; 400 trades ~400 MB of memory for it.
// An explicit GOGC in the environment wins.
export const TUNED_DEV_SERVER_ENV = { GOGC: '400' };
export const tunedDevServerEnv = (env = process.env) => ({ ...TUNED_DEV_SERVER_ENV, ...env });

// Node flags of a worker process: none. Until 2026-12-02 the workers ran with --max-semi-space-size=64
// (a 128 MiB young generation per V8 isolate, and a worker has two: its main thread and its workflow
// thread) so that a workflow task's garbage would die young. Measured in the burst benchmark at 10,000
// open cases (V8 heap told apart from the rest through /proc/<pid>/smaps), it held ~250 MiB more V8 heap
// in the two case workers with no CPU per escalation to show for it, and the workers' memory target is 1 GiB in all (bench/README.md, "Memory: the workers at
// 10,000 open cases"). Node's default young generation (16 MiB semi-spaces) it is. The list stays so a
// deployment can add flags in one place.
export const WORKER_NODE_FLAGS = [];

// The SDK's core walks every workflow its process has cached each time anything happens to one of them
// (sdk-core WFStream::reconcile_buffered), so a process's CPU per escalation grows with its cache; with
// every open case cached that is what made 10,000 open cases cost more per step than 1,000. Worker
// processes on the one task queue each keep the cases whose tasks they took (sticky), so N processes
// each walk 1/N of them (bench/README.md, "Tuning").
export const DEFAULT_WORKER_PROCESSES = 2;

// Workflows each case worker of the production topology keeps cached (WORKER_MAX_CACHED_WORKFLOWS; an
// explicit value in the environment wins). worker.ts's own default, which `npm start` keeps, is 1,000.
// A case worker's memory is a fixed part plus a part per cached case, so the cache, not the number of
// open cases, sizes it. Measured on the topology with 10,000 open cases (bench/README.md, "Memory: the
// workers at 10,000 open cases"): 600 per case worker held 804–830 MiB in all workers at rest, 1,070 MiB
// at the peak of a burst — within issue 14's 1 GiB at rest. What it costs: a case not cached replays its
// history (one workflow task since 2026-12-02) when its step falls due; the first burst of a day drained
// in 2.23× raw Temporal's time there.
export const PRODUCTION_CASE_WORKER_CACHE = 600;

// Beside the case workers, one process serves only the deliveries' task queue (WORKER_ROLE=deliveries)
// at a lower CPU priority (WORKER_NICE 10): sending e-mail, chat messages and webhooks then uses the
// CPU the timers leave, and a slow mail relay or a wave of messages never makes an escalation late
// (workflows/task-queues.ts; bench/README.md, "A slow mail server"). 0 makes every worker serve both.
export const DEFAULT_DELIVERY_WORKER_PROCESSES = 1;

/** The WORKER_ROLE of a launched worker: with delivery workers beside them, case workers serve only the cases' queue. */
export const workerRoleOf = (delivery, deliveryWorkers) =>
  delivery ? 'deliveries' : deliveryWorkers > 0 ? 'cases' : 'all';
