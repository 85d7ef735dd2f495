// A transition as a workflow sends it to its timeline — a case's, a complaint's or a quality issue's —
// and the columns of its timeline row, which the three timeline tables share.

export interface TimelineEvent {
  seq: number;
  type: string;
  fromStage: string | null;
  toStage: string;
  actor: string;
  at: string;
  data: Record<string, unknown>;
}

/** The row of a transition, without its owner's id (case_id, complaint_id, issue_id). */
export const timelineColumns = (e: TimelineEvent) => ({
  seq: e.seq,
  type: e.type,
  fromStage: e.fromStage,
  toStage: e.toStage,
  actor: e.actor,
  at: new Date(e.at),
  data: e.data,
});
