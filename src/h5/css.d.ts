/** CSS a page imports is bundled by esbuild into its own .css file (scripts/build.js). */
declare module '*.css';
