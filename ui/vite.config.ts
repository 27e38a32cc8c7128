import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The app only ever loads the bundled build (no dev server in tests or CI), so the config is
// about producing a self-contained dist/ that the strict CSP accepts.
export default defineConfig({
  plugins: [react()],
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari15",
    // Inline assets would need data: URLs, which the CSP forbids.
    assetsInlineLimit: 0,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
