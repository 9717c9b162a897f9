/**
 * The run was asked for something that cannot be planned or resumed: an unknown build or host in a
 * filter, a bad --shard, a results folder from another plan. The CLI answers it with exit code 2.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  /**
   * @param unmatched the catalogue a filter named nothing of: a file of it that failed to load may
   * be the one meant (`paymatrix validate` says so)
   */
  constructor(
    message: string,
    readonly unmatched?: 'firmware' | 'hosts' | 'suites',
  ) {
    super(message);
  }
}
