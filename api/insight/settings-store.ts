// The report settings as stored (insight_settings), over the defaults of domain/insight/settings.ts: a
// document saved before a setting existed still reads complete.
import { eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { insightSettings } from '../../db/schema.js';
import { DEFAULT_INSIGHT_SETTINGS, type InsightSettings } from '../../domain/insight/settings.js';

export async function loadSettings(db: Database): Promise<InsightSettings> {
  const [row] = await db.select().from(insightSettings).where(eq(insightSettings.id, 'current'));
  const d = DEFAULT_INSIGHT_SETTINGS;
  if (!row) return d;
  const s = row.definition;
  return {
    ...d,
    ...s,
    targets: { ...d.targets, ...s.targets },
    scoreWeights: { ...d.scoreWeights, ...s.scoreWeights },
    labourRates: s.labourRates ?? d.labourRates,
  };
}

export async function saveSettings(db: Database, settings: InsightSettings, by: string): Promise<void> {
  await db
    .insert(insightSettings)
    .values({ id: 'current', definition: settings, updatedBy: by })
    .onConflictDoUpdate({
      target: insightSettings.id,
      set: { definition: settings, updatedBy: by, updatedAt: new Date() },
    });
}
