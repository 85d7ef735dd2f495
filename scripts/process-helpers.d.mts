import type { ChildProcess } from 'node:child_process';

export const REPO_ROOT: string;
export class UserFacingError extends Error {}
export function freePort(host?: string): Promise<number>;
export function assertPortFree(port: number, host: string, what: string, hint?: string): Promise<void>;
export function tcpAnswers(port: number, host?: string): Promise<boolean>;
export function envInt(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
  max: number,
  expected: string,
): number;
export function findTemporalCli(opts?: {
  env?: Record<string, string | undefined>;
  onLine?: (line: string) => void;
  track?: (child: ChildProcess) => void;
}): Promise<string>;
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void;
export function tail(file: string, bytes?: number): string;
export function sleep(ms: number): Promise<void>;
