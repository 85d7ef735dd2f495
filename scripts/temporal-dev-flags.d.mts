export declare const TUNED_DEV_SERVER_FLAGS: string[];
export declare const TUNED_DEV_SERVER_ENV: Record<string, string>;
export declare function tunedDevServerEnv(env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
export declare const WORKER_NODE_FLAGS: string[];
export declare const DEFAULT_WORKER_PROCESSES: number;
export declare const PRODUCTION_CASE_WORKER_CACHE: number;
export declare const DEFAULT_DELIVERY_WORKER_PROCESSES: number;
export declare function workerRoleOf(
  delivery: boolean,
  deliveryWorkers: number,
): 'all' | 'cases' | 'deliveries';
