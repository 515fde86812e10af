/** `--config FILE`, else `RELAY_CONFIG`, else `./relay.config.yaml`. */
export function configPath(option: string | undefined): string {
  return option ?? process.env.RELAY_CONFIG ?? 'relay.config.yaml';
}
