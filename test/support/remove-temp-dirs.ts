import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dir.js';

// A setup file: runs in every test file, before its tests.
afterAll(removeTempDirs);
