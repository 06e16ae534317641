// Preloaded into every process of a benchmark measurement (NODE_OPTIONS=-r <this file>):
// at exit, appends the process' own resource usage as one JSON line to
// $MESHFLEET_BENCH_RUSAGE. The harness sums CPU time over the processes of one command
// and takes the largest peak RSS.
'use strict';
const { appendFileSync } = require('node:fs');

const target = process.env.MESHFLEET_BENCH_RUSAGE;
if (target) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    appendFileSync(target, `${JSON.stringify({ pid: process.pid, user: usage.userCPUTime, sys: usage.systemCPUTime, maxRss: usage.maxRSS })}\n`);
  });
}
