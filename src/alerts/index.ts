/**
 * The agent's alerts: rules on thresholds and events, deduplicated and
 * aggregated, delivered by webhook and email. See docs/alerts.md.
 */
export { decodeAlertsConfig, type AlertsConfig, type AlertsConfigIssue, type AlertRule, type EmailConfig, type RetryConfig, type WebhookConfig } from './config.js';
export { createAlertEngine, type AlertEngineDeps } from './engine.js';
export { createEmailNotifier, type EmailNotifierConfig } from './email.js';
export { createNotifiers } from './notifiers.js';
export { createWebhookNotifier, signWebhook, type WebhookNotifierConfig } from './webhook.js';
export type { Alert, AlertEngine, AlertLogger, AlertRuleType, AlertSeverity, AlertStatusInput, InstanceSample, Notification, Notifier } from './types.js';
