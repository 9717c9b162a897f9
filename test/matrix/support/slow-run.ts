// A run the resume test kills with SIGKILL: the fake catalogue, a slow fake runner, the folder in argv[2].
import { runMatrix } from '../../../src/matrix/run-matrix.js';
import { fakeCatalogue, fakeRunner } from './fake-catalogue.js';

await runMatrix({
  catalogue: fakeCatalogue(),
  runner: fakeRunner(40),
  out: process.argv[2]!,
  settings: {
    firmware: [],
    hosts: [],
    suites: [],
    seed: 5,
    timeScale: 0.01,
    cellTimeoutMs: 5000,
    retryFailed: true,
    shard: null,
  },
  concurrency: 2,
});
