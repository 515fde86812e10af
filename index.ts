/**
 * The package's API, for a CDK app of your own: the relay as a construct (WebhookRelay) or a whole
 * stack (CodeStreamRelayStack), the alarm topic, and the config's loading and types. The `relay`
 * command is the package's bin. docs/construct.md shows it in use.
 */
export { WebhookRelay, type WebhookRelayProps } from './infra/WebhookRelay';
export { CodeStreamRelayStack, type CodeStreamRelayStackProps, type RelayOptions } from './infra/CodeStreamRelayStack';
export { AlarmTopic, type AlarmTopicProps } from './infra/AlarmTopic';
export { type LoadedConfig, loadConfig, parseConfig } from './lambda/config/loadConfig';
export { ConfigError, type ConfigProblem, formatProblem } from './lambda/config/ConfigError';
export type { RelayConfig, SourceDefinition } from './lambda/config/RelayConfig';
export type { RuleDefinition } from './lambda/rules/RuleDefinition';
