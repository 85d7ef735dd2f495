// The dashboard web app: built into dashboard/dist and served by the API under /dashboard/
// (api/dashboard.ts). `npm run dashboard:dev` serves it with live reload, the API calls going to
// the API of `npm start` (DASHBOARD_API, default http://127.0.0.1:3000).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const base = '/dashboard/';

/**
 * main.tsx is small and loads the app (start.tsx: React and the views) with import(): the browser would
 * ask for that chunk only once main.tsx has run. A modulepreload link has it fetched beside main.tsx.
 */
function preloadApp(): Plugin {
  return {
    name: 'shouhou-preload-app',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {});
        const app = chunks.find((c) => c.type === 'chunk' && c.facadeModuleId?.endsWith('/src/start.tsx'));
        if (app?.type !== 'chunk') return [];
        const entry = chunks.find((c) => c.type === 'chunk' && c.isEntry)?.fileName;
        return [app.fileName, ...app.imports]
          .filter((file) => file !== entry)
          .map((file) => ({
            tag: 'link',
            attrs: { rel: 'modulepreload', crossorigin: true, href: `${base}${file}` },
            injectTo: 'head' as const,
          }));
      },
    },
  };
}

/**
 * Every text file of the build beside its brotli (.br) and gzip (.gz) copy, made once here: the API
 * sends the smallest one the browser accepts (api/dashboard.ts, preCompressed) without compressing on
 * each request. The first script is ~250 KB, ~75 KB as brotli.
 */
function precompress(): Plugin {
  return {
    name: 'shouhou-precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      for (const file of Object.keys(bundle)) {
        if (!/\.(js|css|html|svg|json)$/.test(file)) continue;
        const path = join(options.dir ?? join(root, 'dist'), file);
        const body = readFileSync(path);
        if (body.length < 1024) continue;
        writeFileSync(
          `${path}.br`,
          brotliCompressSync(body, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
              [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
            },
          }),
        );
        writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root,
  base,
  oxc: { jsx: { runtime: 'automatic' } },
  plugins: [preloadApp(), precompress()],
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
