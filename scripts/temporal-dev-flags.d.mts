export declare const TUNED_DEV_SERVER_FLAGS: string[];
