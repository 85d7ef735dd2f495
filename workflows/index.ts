// The workflow bundle's entry: every workflow type the worker runs.
export { serviceCase } from './service-case.js';
export { webhookDispatcher } from './webhook-dispatcher.js';
