/**
 * SIGINT/SIGTERM while it is started: the first signal is recorded (the work in progress stops at its next check and
 * says what was saved) instead of ending the process with no message.
 */
export class InterruptWatch {
  private interrupted = false;
  private readonly onSignal = (): void => {
    this.interrupted = true;
  };

  readonly requested = (): boolean => this.interrupted;

  start(): void {
    this.interrupted = false;
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  stop(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}
