import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The app webview loads only what this build emits: no CDN, no remote fonts.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: { host: "127.0.0.1", port: 5173, strictPort: true },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    // Inlined assets would need `data:` in more CSP directives; keep them as files.
    assetsInlineLimit: 0,
  },
});
