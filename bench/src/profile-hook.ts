import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/**
 * Preloaded (`node -r bench/dist/profile-hook.js`) into a process the profiler measures: the first
 * SIGUSR2 starts V8's sampling CPU profiler, the next one stops it and writes the profile to
 * PROFILE_OUT. Only the steady-state window between the two signals is sampled, not start-up.
 */
const out = process.env.PROFILE_OUT ?? `profile-${process.pid}.cpuprofile`;
const intervalMicros = Number(process.env.PROFILE_INTERVAL_US ?? 100);
const session = new Session();
session.connect();
let running = false;

process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () =>
      session.post('Profiler.setSamplingInterval', { interval: intervalMicros }, () =>
        session.post('Profiler.start'),
      ),
    );
    return;
  }
  running = false;
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(out, JSON.stringify(result.profile));
    process.stdout.write(`profile written ${out}\n`);
  });
});
