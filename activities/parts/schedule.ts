// The reorder Schedule (补货): every `intervalMs` a partsReorder workflow proposes purchases for parts
// below their reorder point. Created once; a worker that starts again leaves it as it is.
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';

export const REORDER_SCHEDULE_ID = 'parts-reorder';

export async function ensureReorderSchedule(
  client: Client,
  taskQueue: string,
  intervalMs: number,
): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: REORDER_SCHEDULE_ID,
      spec: { intervals: [{ every: intervalMs }] },
      action: { type: 'startWorkflow', workflowType: 'partsReorder', taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}
