/**
 * An error the user can act on: its message is one line that names the file or value at fault and the fix.
 * The CLI prints it as `bam: <message>` and exits 1; any other error is a bug and is printed with its stack.
 */
export class BamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BamError';
  }
}
