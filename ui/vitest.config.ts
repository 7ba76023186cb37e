import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// Component tests run the real Svelte components in jsdom; IPC is replaced per test.
export default defineConfig({
  plugins: [svelte()],
  resolve: { conditions: ["browser"] },
  // The core-texts test reads the Rust sources next door (src-tauri) to compare sentences.
  server: { fs: { allow: [".."] } },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    restoreMocks: true,
    setupFiles: ["src/test/setup.ts"],
  },
});
