import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Relative asset addresses: the monitor serves the page with <base href> set to its basePath,
// so one build works at the root and under any mount path.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 400 },
});
