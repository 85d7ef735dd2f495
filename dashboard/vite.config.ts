// The dashboard web app: built into dashboard/dist and served by the API under /dashboard/
// (api/dashboard.ts). `npm run dashboard:dev` serves it with live reload, the API calls going to
// the API of `npm start` (DASHBOARD_API, default http://127.0.0.1:3000).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/dashboard/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { '/api': process.env.DASHBOARD_API ?? 'http://127.0.0.1:3000' },
  },
  clearScreen: false,
  logLevel: 'warn',
});
