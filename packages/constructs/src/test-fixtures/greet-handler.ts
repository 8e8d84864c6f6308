// A Lambda entry point for the LakepipeNodeFunction tests: bundled, then imported and invoked.
import { createHash } from 'node:crypto';

export async function handler(event: { name: string }): Promise<{ greeting: string; digest: string }> {
  return { greeting: `hello ${event.name}`, digest: createHash('sha256').update(event.name).digest('hex').slice(0, 8) };
}
