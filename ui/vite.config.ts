import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

export default defineConfig({
  // svelteTesting: component tests mount the browser build of Svelte in jsdom.
  plugins: [svelte(), svelteTesting()],
  // Tauri serves the files itself; relative paths keep them working under its custom protocol.
  base: './',
  build: { target: 'safari15', outDir: 'dist', emptyOutDir: true },
  test: { environment: 'jsdom', include: ['src/**/*.test.ts'] },
});
