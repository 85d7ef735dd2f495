export declare const ENTERED_AT: number;
export declare const ENTRIES: number;
export declare const CELLS: number;
export declare const WORKFLOW_THREAD_DATA: string;
export declare function watchSandboxEntries(cells: BigInt64Array): () => void;
export declare function skipPromiseStacks(): () => void;
