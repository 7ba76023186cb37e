// One save at a time and its outcome, as every settings form shows it: busy while it runs,
// the owner's words when it failed, done when it worked.
import { asIpcError } from "./ipc";

export class Saving {
  busy = $state(false);
  error = $state<string | null>(null);
  done = $state(false);

  /** Runs `work`; true when it succeeded. */
  async run(work: () => Promise<void>): Promise<boolean> {
    this.busy = true;
    this.error = null;
    this.done = false;
    try {
      await work();
      this.done = true;
      return true;
    } catch (failure) {
      this.error = asIpcError(failure).message;
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** A problem found before anything was sent. */
  refuse(message: string) {
    this.error = message;
    this.done = false;
  }
}
