// Preloaded into each measured child: writes its peak RSS (bytes) to $BENCH_USAGE_FILE on exit.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.BENCH_USAGE_FILE) {
    writeFileSync(
      process.env.BENCH_USAGE_FILE,
      JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024 }),
    );
  }
});
