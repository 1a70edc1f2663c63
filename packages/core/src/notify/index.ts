export { regressionNoticeJson, regressionNoticeSlack, regressionReason } from './regression-notice.js';
export type { RegressionNoticeInput } from './regression-notice.js';
