// Updates: one check at start (quiet: no news is no news, offline is fine), "Check for
// updates" in Settings, and the download → install → restart steps with their progress.
import { Channel } from "@tauri-apps/api/core";
import type { AvailableUpdate, UpdateProgress } from "../bindings";
import { call, asIpcError } from "../ipc";

type Step = "idle" | "checking" | "latest" | "available" | "downloading" | "installing" | "installed";

class UpdatesState {
  step = $state<Step>("idle");
  current = $state<string | null>(null);
  available = $state<AvailableUpdate | null>(null);
  downloaded = $state(0);
  total = $state<number | null>(null);
  error = $state<string | null>(null);

  /** Asks the server. `quiet`: a failure is only logged (the start-up check). */
  async check(quiet = false): Promise<void> {
    this.step = "checking";
    this.error = null;
    try {
      const result = await call("update_check", {});
      this.current = result.current;
      this.available = result.available;
      this.step = result.available ? "available" : "latest";
    } catch (failure) {
      this.step = "idle";
      if (quiet) console.info(asIpcError(failure).message);
      else this.error = asIpcError(failure).message;
    }
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
