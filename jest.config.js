/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // SQLite files and emulator processes: keep workers few on a 2-core machine.
  maxWorkers: process.env.CI ? 2 : '50%',
  testTimeout: 30000,
};
