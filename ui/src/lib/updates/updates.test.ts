import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// IPC stood in for: the update server out of reach until the test says it answers.
let reachable = false;
let checks = 0;
vi.mock("../ipc", () => ({
  call: async (command: string) => {
    if (command !== "update_check") return null;
    checks += 1;
    if (!reachable) throw { code: "unavailable", message: "Leadline can't reach its update server." };
    return { current: "0.1.0", available: null };
  },
  asIpcError: (e: unknown) => e,
}));
vi.mock("@tauri-apps/api/core", () => ({ Channel: class {} }));

const { updates, RETRY_MS, EVERY_MS } = await import("./updates.svelte");

describe("the update check", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("offline says nothing, tries again in an hour, then daily once it reaches the server", async () => {
    await updates.check(true);
    expect(checks).toBe(1);
    expect(updates.error).toBeNull();
    expect(updates.lastChecked).toBeNull();

    await vi.advanceTimersByTimeAsync(RETRY_MS - 1_000);
    expect(checks).toBe(1);
    reachable = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(checks).toBe(2);
    expect(updates.step).toBe("latest");
    expect(updates.lastChecked).not.toBeNull();

    await vi.advanceTimersByTimeAsync(EVERY_MS);
    expect(checks).toBe(3);

    // A check by hand that fails says why.
    reachable = false;
    await updates.check();
    expect(updates.error).toContain("can't reach");
  });
});
