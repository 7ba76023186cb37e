// What jsdom lacks and the components use, and a clean page for every test.
import { afterEach } from "vitest";
import { cleanup } from "@testing-library/svelte";

class NoResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
globalThis.ResizeObserver ??= NoResizeObserver as unknown as typeof ResizeObserver;

afterEach(() => cleanup());
