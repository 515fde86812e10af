// Imported first by local/main.ts, before any client or Powertools utility reads the environment.
// Local mode prints readable lines, not CloudWatch metric documents.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
// The AWS SDK's notice that later releases need Node 22 is for deployers, not for a laptop session.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
