import fs from 'fs';

export default function globalTeardown(): void {
  const dir = process.env.WXSM_PACK_DIR;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
