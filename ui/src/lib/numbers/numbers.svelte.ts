// The numbers list, kept live: loaded once, then updated from core events so every view
// (Home, Numbers) shows the same thing without reloading.
import type { AccountState, WaNumber } from "../bindings";
import { call, on, asIpcError } from "../ipc";

class NumbersState {
  list = $state<WaNumber[]>([]);
  loaded = $state(false);
  loadError = $state<string | null>(null);
  /** Each number's live WhatsApp state, by id. */
  states = $state<Record<number, AccountState>>({});

  async load(): Promise<void> {
    try {
      this.list = await call("numbers_list", {});
      const states = await call("numbers_states", {});
      this.states = Object.fromEntries(states.map((s) => [s.id, s.state]));
      this.loadError = null;
    } catch (error) {
      this.loadError = asIpcError(error).message;
    } finally {
      this.loaded = true;
    }
  }

  upsert(number: WaNumber): void {
    const index = this.list.findIndex((n) => n.id === number.id);
    if (index === -1) this.list = [...this.list, number];
    else this.list[index] = number;
  }

  remove(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
  }

  async watch(): Promise<() => void> {
    const stops = await Promise.all([
      on("number:upserted", (number) => this.upsert(number)),
      on("number:removed", ({ id }) => this.remove(id)),
      on("account:status", ({ id, state }) => {
        this.states[id] = state;
      }),
    ]);
    return () => stops.forEach((stop) => stop());
  }
}

export const numbers = new NumbersState();
