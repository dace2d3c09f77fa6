// Builds the Svelte 5 UI to renderer/dist. The same build is served by the Electron app
// (trove://app/) and by `trove serve` (http://127.0.0.1:PORT/); both send a strict CSP, so
// the build has no inline scripts or styles. (No Node built-in imports here: the layering
// check keeps renderer/ free of them; import.meta.dirname is provided by Vite/Node.)
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = import.meta.dirname;

export default defineConfig({
  root,
  base: './',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: { host: '127.0.0.1', fs: { allow: [`${root}/..`] } },
});
