import { config } from 'rxjs';

/**
 * An error thrown inside a subscriber's own `next` (not an operator's) reaches no `error`
 * callback: RxJS rethrows it from a timer, which ends the process, and with it every call in
 * flight. The gateway's subscribers check what they read (groq-answers.ts) and route what they
 * throw; this is the net under them: the error is logged, and the process keeps serving.
 */
export function logUnhandledRxErrors(log: (line: string) => void): void {
  config.onUnhandledError = (error: unknown) =>
    log(
      `An error escaped an RxJS subscriber; the call it belonged to may have gone unanswered: ${
        error instanceof Error ? (error.stack ?? error.message) : String(error)
      }`,
    );
}
