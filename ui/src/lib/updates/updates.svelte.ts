// Updates: a check at start and then daily (quiet: no news is no news; offline, it is tried
// again an hour later), "Check for updates" in Settings with when the last check was, and
// the download → install → restart steps with their progress.
import { Channel } from "@tauri-apps/api/core";
import type { AvailableUpdate, UpdateProgress } from "../bindings";
import { call, asIpcError } from "../ipc";

type Step = "idle" | "checking" | "latest" | "available" | "downloading" | "installing" | "installed";

/** A quiet check that failed (offline) is tried again after this. */
export const RETRY_MS = 60 * 60 * 1000;
/** A running Leadline looks for updates again after this. */
export const EVERY_MS = 24 * 60 * 60 * 1000;

class UpdatesState {
  step = $state<Step>("idle");
  current = $state<string | null>(null);
  available = $state<AvailableUpdate | null>(null);
  downloaded = $state(0);
  total = $state<number | null>(null);
  error = $state<string | null>(null);
  /** When a check last reached the server in this run (unix ms); the first is at start. */
  lastChecked = $state<number | null>(null);
  private next: ReturnType<typeof setTimeout> | null = null;

  /** Asks the server. `quiet` (start-up and the daily check): a failure shows nothing (the
   * app logs one line) and is tried again in an hour; an update under way is left alone. */
  async check(quiet = false): Promise<void> {
    if (quiet && ["checking", "downloading", "installing", "installed"].includes(this.step)) return;
    this.step = "checking";
    this.error = null;
    try {
      const result = await call("update_check", {});
      this.current = result.current;
      this.available = result.available;
      this.step = result.available ? "available" : "latest";
      this.lastChecked = Date.now();
      this.again(EVERY_MS);
    } catch (failure) {
      this.step = this.available ? "available" : "idle";
      if (quiet) this.again(RETRY_MS);
      else this.error = asIpcError(failure).message;
    }
  }

  /** The next quiet check, `ms` from now (one at a time). */
  private again(ms: number): void {
    if (this.next) clearTimeout(this.next);
    this.next = setTimeout(() => void this.check(true), ms);
  }

  async install(): Promise<void> {
    this.error = null;
    this.downloaded = 0;
    this.total = null;
    this.step = "downloading";
    const onProgress = new Channel<UpdateProgress>();
    onProgress.onmessage = (progress) => {
      if (progress.event === "downloading") {
        this.downloaded = progress.downloaded;
        this.total = progress.total;
      } else {
        this.step = "installing";
      }
    };
    try {
      await call("update_install", { onProgress });
      this.step = "installed";
    } catch (failure) {
      // Nothing was installed: the offer stays, with what went wrong.
      this.error = asIpcError(failure).message;
      this.step = "available";
    }
  }

  async restart(): Promise<void> {
    try {
      await call("update_restart", {});
    } catch (failure) {
      this.error = asIpcError(failure).message;
    }
  }
}

export const updates = new UpdatesState();
