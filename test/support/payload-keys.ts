// The key replay recordings are encrypted under. A recorded history is test data (made-up customers),
// so its key is committed: RECORD_HISTORIES=1 runs encrypt with it, and every run replays with it.
// Other runs make a fresh key each (global-setup.ts).
export const RECORDING_PAYLOAD_KEYS = 'recorded:DTwaV+Fe+5Z4SiqwI0VOkMdDoCy9/RPZm6F87ANn6D8=';
