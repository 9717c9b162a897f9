/**
 * The run was asked for something that cannot be planned or resumed: an unknown build or host in a
 * filter, a bad --shard, a results folder from another plan. The CLI answers it with exit code 2.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
