import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts', '**/*.test.tsx'],
    exclude: ['node_modules/**', 'reports/out/**'],
    testTimeout: 30_000,
    // As the CLI does (cli/bin.mjs): the SDK's Node 22 notice, once per worker, says nothing to act on here.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
