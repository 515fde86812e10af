/** An environment variable the function cannot run without. */
export function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`the ${name} environment variable is not set`);
  return value;
}

/** A non-negative number from the environment, or the default when it is unset. */
export function number(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`the ${name} environment variable must be a non-negative number, not "${value}"`);
  return parsed;
}

/** Where the bundled config is: beside the code, as the stack writes it. */
export function bundledConfigFile(env: NodeJS.ProcessEnv): string {
  return env.RELAY_CONFIG ?? 'relay.config.json';
}
