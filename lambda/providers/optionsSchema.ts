/** The options schema of a provider that takes none: any key is a mistake. */
export const NO_OPTIONS: Record<string, unknown> = { type: 'object', additionalProperties: false, properties: {} };
