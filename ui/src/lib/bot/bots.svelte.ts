// "Pause all bots", shared by the banner, Home and the tray: loaded once, then kept live
// from `bots:paused` (the tray can change it while the window is open).
import { call, on, asIpcError } from "../ipc";

class BotsState {
  paused = $state(false);
  busy = $state(false);
  error = $state<string | null>(null);

  async load(): Promise<void> {
    try {
      this.paused = await call("bots_paused", {});
    } catch (error) {
      this.error = asIpcError(error).message;
    }
  }

  async set(paused: boolean): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      this.paused = await call("bots_pause", { paused });
    } catch (error) {
      this.error = asIpcError(error).message;
    } finally {
      this.busy = false;
    }
  }

  watch(): Promise<() => void> {
    return on("bots:paused", ({ paused }) => (this.paused = paused));
  }
}

export const bots = new BotsState();
