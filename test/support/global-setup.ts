import fs from 'fs';
import os from 'os';
import path from 'path';

/** One directory per jest run for what suites share across workers (the packed tarball: test/pack.ts). */
export default function globalSetup(): void {
  process.env.WXSM_PACK_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsm-run-'));
}
