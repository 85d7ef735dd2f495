// The workflow bundle's entry: every workflow type the worker runs.

export { complaint } from './complaint.js';
export { notificationDelivery } from './notification-delivery.js';
export { notificationDispatcher } from './notification-dispatcher.js';
export { notificationSweeper } from './notification-sweeper.js';
export { partsReorder } from './parts-reorder.js';
export { partsRequest } from './parts-request.js';
export { purchaseOrderWatch } from './purchase-order-watch.js';
export { qualityIssue } from './quality-issue.js';
export { serviceCase } from './service-case.js';
export { webhookDispatcher } from './webhook-dispatcher.js';
