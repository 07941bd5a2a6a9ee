/** Where things are, for tests in any folder under test/. */
import path from 'path';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '../..');
/** Shared fixtures: test/fixtures/. */
export const FIXTURES = path.join(ROOT, 'test/fixtures');
/** A path under the repository root. */
export const fromRoot = (...parts: string[]): string => path.join(ROOT, ...parts);
