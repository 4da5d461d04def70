// Replaced at bundle time by esbuild (define), so no package.json is read at run time.
declare const __TRAILDIGEST_VERSION__: string | undefined;
export const VERSION: string = typeof __TRAILDIGEST_VERSION__ === "string" ? __TRAILDIGEST_VERSION__ : "0.0.0-dev";
