// Flags `npm start` and the escalation benchmark give the Temporal CLI dev server (bench/README.md, "Tuning").
// Plain JavaScript: scripts/start.mjs imports it before node_modules exists.
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
