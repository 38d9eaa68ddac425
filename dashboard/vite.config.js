// Builds the dashboard into api/static/dist, which the API serves at /dashboard (same origin).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  base: "/dashboard/",
  build: {
    outDir: fileURLToPath(new URL("../api/static/dist", import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 700,
  },
  server: {
    // `npm run dev` proxies the API of a locally running `memcubedb serve`.
    proxy: { "/v1": "http://127.0.0.1:8000" },
  },
});
