// Who an escalation reaches. The chain runs assignee → team lead → the managers above (the service
// manager, 售后服务经理, is the first with the manager role) → upper management (高层, the executive
// role). Each ladder level starts at its place in the chain: the warning at the assignee, the breach at
// the service manager, the escalation at upper management. A person absent or inactive when the step
// fires is skipped for the next in the chain, and the skip is recorded with its reason. Emergencies
// also reach whoever is on call at that instant. A department's desk ('desk:rnd', where a complaint or a
// quality-issue stage lands while nobody is named) reaches the people holding the department's role; a
// desk with nobody there falls to the service manager. Pure: the caller loads the directory.
import { DESK_ROLES, deskDepartment } from './roles.js';

export type Position = 'assignee' | 'team-lead' | 'manager' | 'service-manager' | 'upper-management';

export interface DirectoryPerson {
  id: string;
  name: string;
  roles: readonly string[];
  teamId: string | null;
  managerId: string | null;
  active: boolean;
  absences: readonly { startsAt: Date; endsAt: Date; reason: string | null }[];
}

export interface Directory {
  people: ReadonlyMap<string, DirectoryPerson>;
  teams: ReadonlyMap<string, { id: string; leadId: string | null }>;
  /** Shifts covering the instant: team null means on call for everyone. */
  onCall: readonly { personId: string; teamId: string | null }[];
}

export interface Recipient {
  personId: string;
  name: string;
  position: Position | 'on-call' | 'person' | 'desk';
  reason: string;
}

export interface Resolution {
  /** What the workflow asked for: a ladder recipient (`assignee`, `service-manager`…) or a person id. */
  target: string;
  recipients: Recipient[];
  skipped: { personId: string; name: string; position: Position | 'desk'; reason: string }[];
  /** Why nobody, or a fallback taken. */
  note: string | null;
  /** The instant the chain was evaluated at (when the step fired). */
  at: string;
}

export const SERVICE_MANAGER_ROLE = 'manager';
export const UPPER_MANAGEMENT_ROLE = 'executive';

const POSITION_ZH: Record<Recipient['position'], string> = {
  assignee: '负责工程师',
  'team-lead': '班组长',
  manager: '上级',
  'service-manager': '售后服务经理',
  'upper-management': '高层管理',
  'on-call': '值班人员',
  person: '收件人',
  desk: '部门接口人',
};
export const positionLabel = (p: Recipient['position']) => POSITION_ZH[p];

function positionOf(p: DirectoryPerson): Position {
  if (p.roles.includes(UPPER_MANAGEMENT_ROLE)) return 'upper-management';
  if (p.roles.includes(SERVICE_MANAGER_ROLE)) return 'service-manager';
  return 'manager';
}

/** The chain above (and including) the assignee, without repeats; fallbacks when the directory has gaps. */
export function chainOf(dir: Directory, assignee: string | null): { personId: string; position: Position }[] {
  const chain: { personId: string; position: Position }[] = [];
  const seen = new Set<string>();
  const add = (id: string | null | undefined, position: Position) => {
    if (!id || seen.has(id) || !dir.people.has(id)) return false;
    seen.add(id);
    chain.push({ personId: id, position });
    return true;
  };
  const climb = (from: string | null | undefined) => {
    let id = dir.people.get(from ?? '')?.managerId;
    while (id && dir.people.has(id) && !seen.has(id)) {
      const p = dir.people.get(id)!;
      add(id, positionOf(p));
      id = p.managerId;
    }
  };
  const person = assignee ? dir.people.get(assignee) : undefined;
  if (person) {
    add(person.id, 'assignee');
    const lead = person.teamId ? dir.teams.get(person.teamId)?.leadId : null;
    if (lead && lead !== person.id) add(lead, 'team-lead');
    climb(lead && lead !== person.id ? lead : person.id);
  }
  // A chain without a service manager or upper management (an unassigned case, a directory with gaps)
  // borrows them from the directory, lowest id first, so a breach never goes nowhere.
  const byRole = (role: string) =>
    [...dir.people.values()].filter((p) => p.roles.includes(role)).sort((a, b) => (a.id < b.id ? -1 : 1));
  if (!chain.some((l) => l.position === 'service-manager'))
    for (const p of byRole(SERVICE_MANAGER_ROLE)) if (add(p.id, 'service-manager')) climb(p.id);
  if (!chain.some((l) => l.position === 'upper-management'))
    for (const p of byRole(UPPER_MANAGEMENT_ROLE)) add(p.id, 'upper-management');
  return chain;
}

/** The absence holding `at`, if any. */
export function absenceAt(p: DirectoryPerson, at: Date) {
  return p.absences.find((a) => a.startsAt <= at && at < a.endsAt);
}

const LADDER_START: Record<string, Position> = {
  assignee: 'assignee',
  'service-desk': 'assignee',
  'team-lead': 'team-lead',
  'service-manager': 'service-manager',
  'upper-management': 'upper-management',
};

export interface ResolveInput {
  /** The ladder recipient or a person id. */
  target: string;
  assignee: string | null;
  severity: string;
  at: Date;
  /** True for escalations: absent people are skipped. A plain notification goes to its person anyway. */
  escalation: boolean;
}

export function resolveRecipients(dir: Directory, input: ResolveInput): Resolution {
  const { target, at } = input;
  const result: Resolution = { target, recipients: [], skipped: [], note: null, at: at.toISOString() };
  // The workflow names the assignee by id at the ladder's first level: that is the chain's start too.
  let start: Position | undefined =
    LADDER_START[target] ?? (input.escalation && target === input.assignee ? 'assignee' : undefined);
  const department = deskDepartment(target);
  if (department) {
    const role = DESK_ROLES[department];
    const members = [...dir.people.values()]
      .filter((p) => p.roles.includes(role))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const p of members) {
      const absence = absenceAt(p, at);
      if (!p.active || (input.escalation && absence)) {
        result.skipped.push({ personId: p.id, name: p.name, position: 'desk', reason: whyAway(p, absence) });
        continue;
      }
      result.recipients.push({
        personId: p.id,
        name: p.name,
        position: 'desk',
        reason: `the ${department} desk (role ${role})`,
      });
    }
    if (result.recipients.length > 0) return withOnCall(dir, input, result);
    // Nobody at the desk: the service manager hears of it, so it never goes nowhere.
    result.note =
      members.length === 0
        ? `nobody holds role "${role}" for the ${department} desk; the service manager instead`
        : `everyone at the ${department} desk is away; the service manager instead`;
    start = 'service-manager';
  }
  if (!start) {
    // A person named directly (the engineer a case was assigned to).
    const p = dir.people.get(target);
    if (!p) result.note = `"${target}" is not in the directory`;
    else if (!p.active) result.note = `${p.name} (${p.id}) is inactive`;
    else
      result.recipients.push({ personId: p.id, name: p.name, position: 'person', reason: 'named recipient' });
    return result;
  }
  const from: Position = start;
  const chain = chainOf(dir, input.assignee);
  // The level's place in the chain, or the next place above it that the chain has.
  const order: Position[] = ['assignee', 'team-lead', 'manager', 'service-manager', 'upper-management'];
  let i = chain.findIndex((l) => l.position === from);
  if (i < 0) i = chain.findIndex((l) => order.indexOf(l.position) > order.indexOf(from));
  if (i < 0) {
    result.note = `the chain has nobody at or above "${from}"`;
  } else {
    for (; i < chain.length; i++) {
      const link = chain[i];
      const p = dir.people.get(link.personId)!;
      const absence = absenceAt(p, at);
      if (!p.active || (input.escalation && absence)) {
        result.skipped.push({
          personId: p.id,
          name: p.name,
          position: link.position,
          reason: whyAway(p, absence),
        });
        continue;
      }
      const reason =
        result.skipped.length === 0
          ? `${link.position} for "${target}"`
          : `${link.position}, next in the chain after ${result.skipped.map((s) => s.personId).join(', ')}`;
      result.recipients.push({ personId: p.id, name: p.name, position: link.position, reason });
      break;
    }
    if (result.recipients.length === 0) result.note = 'everyone in the chain from there up is absent';
  }
  return withOnCall(dir, input, result);
}

function whyAway(p: DirectoryPerson, absence: ReturnType<typeof absenceAt>): string {
  if (!p.active) return 'inactive';
  return `absent${absence!.reason ? ` (${absence!.reason})` : ''} until ${absence!.endsAt.toISOString()}`;
}

/** An emergency escalation also reaches whoever is on call at that instant. */
function withOnCall(dir: Directory, input: ResolveInput, result: Resolution): Resolution {
  const { at } = input;
  if (input.escalation && input.severity === 'emergency') {
    const team = input.assignee ? dir.people.get(input.assignee)?.teamId : null;
    for (const s of dir.onCall) {
      if (s.teamId && s.teamId !== team) continue;
      const p = dir.people.get(s.personId);
      if (!p?.active || absenceAt(p, at) || result.recipients.some((r) => r.personId === p.id)) continue;
      result.recipients.push({
        personId: p.id,
        name: p.name,
        position: 'on-call',
        reason: 'on call for emergencies',
      });
    }
  }
  return result;
}
