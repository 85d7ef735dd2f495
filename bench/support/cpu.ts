// CPU time of the stack's processes (Linux /proc), to see which one a phase of a benchmark keeps busy.
import { readdirSync, readFileSync } from 'node:fs';
import { round } from './stats.js';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on every mainstream Linux). */
const TICKS_PER_SECOND = 100;

export interface CpuSnapshot {
  at: number;
  /** CPU ms (user + system) by role, summed over its processes; absent where none can be read. */
  ms: Record<string, number>;
}

/**
 * Every live process's CPU ms (user + system, with that of the children it has already reaped) and the
 * live processes by parent, from one read of each /proc/<pid>/stat.
 */
function readProcesses(): { cpuMs: Map<number, number>; children: Map<number, number[]> } {
  const cpuMs = new Map<number, number>();
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // The command name (field 2) may contain spaces; fields after its closing parenthesis are fixed:
    // ppid is field 4; utime, stime, cutime, cstime are fields 14–17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    const pid = Number(entry);
    cpuMs.set(pid, (ticks * 1000) / TICKS_PER_SECOND);
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  return { cpuMs, children };
}

/**
 * CPU ms of a process and every process below it, live or reaped: PostgreSQL does its work in one
 * backend process per connection, children of the postmaster, which the postmaster's own figures omit.
 */
function treeCpuMs(pid: number, procs: ReturnType<typeof readProcesses>): number | undefined {
  const own = procs.cpuMs.get(pid);
  if (own === undefined) return undefined;
  let sum = own;
  for (const child of procs.children.get(pid) ?? []) sum += treeCpuMs(child, procs) ?? 0;
  return sum;
}

export function cpuSnapshot(pids: Record<string, number[]>): CpuSnapshot {
  const ms: Record<string, number> = {};
  const procs = readProcesses();
  for (const [role, group] of Object.entries(pids)) {
    for (const pid of group) {
      const v = treeCpuMs(pid, procs);
      if (v !== undefined) ms[role] = (ms[role] ?? 0) + v;
    }
  }
  const self = process.cpuUsage();
  ms.bench = (self.user + self.system) / 1000;
  return { at: Date.now(), ms };
}

/** Average CPU use between two snapshots, per process, in % of one core. */
export function cpuPercent(from: CpuSnapshot, to: CpuSnapshot): Record<string, number> {
  const wall = Math.max(1, to.at - from.at);
  const out: Record<string, number> = {};
  for (const name of Object.keys(to.ms)) {
    if (from.ms[name] === undefined) continue;
    out[name] = Math.round(((to.ms[name] - from.ms[name]) / wall) * 100);
  }
  return out;
}

/** Whole-machine CPU counters (/proc/stat, first line), ms. */
export interface MachineCpu {
  busy: number;
  idle: number;
  steal: number;
}

export function machineCpu(): MachineCpu | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    // cpu user nice system idle iowait irq softirq steal guest guest_nice
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const ms = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
    return { busy: ms(user + nice + system + irq + softirq), idle: ms(idle + iowait), steal: ms(steal) };
  } catch {
    return undefined;
  }
}

/** Share of the machine's CPU time busy between two snapshots, %, one decimal (steal not counted). */
export function machineBusyPercent(from: MachineCpu | undefined, to: MachineCpu | undefined): number | null {
  if (!from || !to) return null;
  const busy = to.busy - from.busy;
  return round((busy / (busy + to.idle - from.idle)) * 100);
}

function processRssKiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Resident memory of a role's processes together in MiB (Linux /proc), undefined when none can be read. */
export function rssMiB(group: number[]): number | undefined {
  const kib = group.map(processRssKiB).filter((v) => v !== undefined);
  return kib.length === 0 ? undefined : Math.round(kib.reduce((a, b) => a + b, 0) / 1024);
}
